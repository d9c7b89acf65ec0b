"""Anchors: the chain's head, written outside the database after each successful verification.

A hash chain alone cannot show that someone with write access to the database rewrote every row after a
change, or cut off the newest rows and wound the head back. Each ``audit verify`` therefore appends the head
(seq and hash) to ``$XINYONG_DATA_DIR/audit-anchors.txt`` and checks every earlier anchor still holds: the
row at that seq must exist with that hash. Copy the file (or the printed head) somewhere the database
administrator cannot write, and the rewrite shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEvent
from xinyong.audit.service import VerifyResult, verify

ANCHOR_FILE = "audit-anchors.txt"


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


def read_anchors(path: Path) -> list[Anchor]:
    if not path.is_file():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            anchors.append(Anchor(int(parts[0]), parts[1], parts[2]))
    return anchors


def check_anchors(session: Session, anchors: list[Anchor], checked: int) -> VerifyResult | None:
    """The first anchor the chain no longer holds, as a failed result; None when all hold."""
    for anchor in anchors:
        if anchor.seq == 0:
            continue
        row = session.get(AuditEvent, anchor.seq)
        if row is None:
            return VerifyResult(
                False,
                checked,
                anchor.seq,
                "audit.removed",
                f"第 {anchor.seq} 条审计记录已被删除：{anchor.at} 核验时它还在（见锚点文件）",
            )
        if row.hash != anchor.hash:
            return VerifyResult(
                False,
                checked,
                anchor.seq,
                "audit.rewritten",
                f"第 {anchor.seq} 条审计记录与 {anchor.at} 的锚点不符：审计链在此后被改写",
            )
    return None


def verify_and_anchor(session: Session, data_dir: Path, now: datetime) -> VerifyResult:
    """Verify the chain and every earlier anchor; when all hold, record the current head as a new anchor."""
    result = verify(session)
    if not result.ok:
        return result
    path = data_dir / ANCHOR_FILE
    broken = check_anchors(session, read_anchors(path), result.checked)
    if broken is not None:
        return broken
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{result.head_seq} {result.head_hash} {now.isoformat()}\n")
    return result
