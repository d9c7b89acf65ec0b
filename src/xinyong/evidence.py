"""Evidence files subjects give in their cases (objections, repair applications): recognised by what they
contain, not by their names, limited in size and number, kept under the data directory by their SHA-256."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from xinyong.errors import XinyongError

MEDIA_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a file name keeps no control characters


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Evidence:
    """An upload that passed: its name, what it is, its digest."""

    filename: str
    content: bytes
    media_type: str
    digest: str


def checked(
    uploads: list[Upload] | tuple[Upload, ...], *, code: str, field: str, already: int = 0
) -> list[Evidence]:
    """Every upload, or a refusal naming the file and what is wrong (``code`` prefixes the error codes)."""
    if len(uploads) + already > MAX_FILES:
        raise XinyongError(f"{code}.too_many_files", f"证明材料最多 {MAX_FILES} 个文件", field=field)
    passed = []
    for upload in uploads:
        name = _CONTROL.sub("", upload.filename).strip()[:200] or "证明材料"
        if len(upload.content) > MAX_FILE_BYTES:
            raise XinyongError(
                f"{code}.file_too_large", f"文件“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)}MB", field=field
            )
        media = next((m for magic, m in MEDIA_TYPES.items() if upload.content.startswith(magic)), None)
        if media is None:
            raise XinyongError(
                f"{code}.file_type", f"文件“{name}”不是 PDF、JPEG 或 PNG 文件（按文件内容判断）", field=field
            )
        passed.append(Evidence(name, upload.content, media, hashlib.sha256(upload.content).hexdigest()))
    return passed


def keep(folder: Path, files: list[Evidence]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / file.digest).write_bytes(file.content)


def read(folder: Path, digest: str) -> bytes:
    """A kept file, refused when it is missing or no longer the one received."""
    path = folder / digest
    content = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(content).hexdigest() != digest:
        raise XinyongError("evidence.missing", "证明材料文件缺失或与提交时不一致", field="file")
    return content
