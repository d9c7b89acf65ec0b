"""The exchange package file: a zip of JSON-lines files and a signed manifest (INT-1).

Writing streams each file line by line into the zip, hashing as it goes; reading refuses a package whose
signature, format, sizes or checksums are wrong before a single line is used. No database here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from xinyong.errors import Problem, XinyongError

FORMAT = "xinyong-exchange/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RECORDS = "records.jsonl"
LIST_ENTRIES = "list_entries.jsonl"
REMOVALS = "removals.jsonl"
FILES = (RECORDS, LIST_ENTRIES, REMOVALS)
KINDS = ("snapshot", "increment")
CHUNK = 1024 * 1024
# Deflate level of written packages: on a snapshot's records, level 1 compresses three times faster than the
# default 6, for files about a third larger.
COMPRESSION = 1


@dataclass(frozen=True)
class Watermark:
    """How far a package reaches: the last record version id and the last list step id it covers."""

    record_version: int
    list_step: int

    def __str__(self) -> str:
        return f"{self.record_version}:{self.list_step}"

    @classmethod
    def parse(cls, text: str, field: str = "since") -> Watermark:
        parts = text.strip().split(":")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
            raise XinyongError(
                "exchange.watermark_invalid",
                f"水位“{text[:40]}”应为“记录版本号:名单步骤号”，如 1200:35",
                field=field,
            )
        return cls(int(parts[0]), int(parts[1]))


def sign(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


class Writer:
    """Writes one package: call :meth:`add` once per file, then :meth:`close` with the manifest fields."""

    def __init__(self, path: Path, *, key: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
        self._key = key
        self.files: list[dict[str, Any]] = []

    def add(self, name: str, lines: Iterable[Mapping[str, Any]]) -> int:
        digest, rows = hashlib.sha256(), 0
        with self._zip.open(name, "w", force_zip64=True) as out:
            for line in lines:
                data = (json.dumps(line, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode()
                digest.update(data)
                out.write(data)
                rows += 1
        self.files.append({"name": name, "rows": rows, "sha256": digest.hexdigest()})
        return rows

    def close(self, manifest: Mapping[str, Any]) -> dict[str, Any]:
        document = {"format": FORMAT, **manifest, "files": self.files}
        data = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode()
        self._zip.writestr(MANIFEST, data)
        self._zip.writestr(SIGNATURE, sign(self._key, data))
        self._zip.close()
        return document


@dataclass(frozen=True)
class Line:
    """One line of a package file: its number, and its object or what is wrong with it."""

    number: int
    value: dict[str, Any] | None
    problem: Problem | None = None


class Package:
    """An opened, verified package: the manifest can be trusted, the files match it."""

    def __init__(self, path: Path, *, key: bytes, max_bytes: int) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise XinyongError("exchange.not_a_package", "文件不是 zip 格式的交换包", field="file") from exc
        self.manifest = self._manifest(key, max_bytes)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_small(self, name: str, max_bytes: int) -> bytes:
        try:
            info = self._zip.getinfo(name)
        except KeyError as exc:
            raise XinyongError("exchange.manifest_missing", f"交换包中缺少 {name}", field=name) from exc
        if info.file_size > min(max_bytes, CHUNK):
            raise XinyongError("exchange.too_large", f"交换包中的 {name} 过大", field=name)
        return self._zip.read(name)

    def _manifest(self, key: bytes, max_bytes: int) -> dict[str, Any]:
        total = sum(info.file_size for info in self._zip.infolist())
        if total > max_bytes:  # sizes a zip bomb declares; reading never goes past them
            raise XinyongError(
                "exchange.too_large",
                f"交换包解压后 {total:,} 字节，超过上限 {max_bytes:,} 字节",
                field="file",
            )
        data = self._read_small(MANIFEST, max_bytes)
        signature = self._read_small(SIGNATURE, max_bytes).decode("ascii", "replace").strip()
        if not hmac.compare_digest(signature, sign(key, data)):
            raise XinyongError(
                "exchange.bad_signature",
                f"{MANIFEST} 的签名不符：交换包被改动，或双方交换密钥不一致",
                field=MANIFEST,
            )
        try:
            manifest = json.loads(data)
        except ValueError as exc:
            raise XinyongError(
                "exchange.manifest_invalid", f"{MANIFEST} 不是有效的 JSON", field=MANIFEST
            ) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            raise XinyongError(
                "exchange.format_unknown", f"不支持的交换包格式“{found}”，本平台读取 {FORMAT}", field="format"
            )
        if manifest.get("kind") not in KINDS or not isinstance(manifest.get("files"), list):
            raise XinyongError("exchange.manifest_invalid", f"{MANIFEST} 缺少 kind 或 files", field=MANIFEST)
        for entry in manifest["files"]:
            self._verify(entry)
        return manifest

    def _verify(self, entry: Any) -> None:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in FILES:
            raise XinyongError(
                "exchange.manifest_invalid", f"{MANIFEST} 列出了未知文件“{name}”", field=MANIFEST
            )
        digest = hashlib.sha256()
        try:
            with self._zip.open(name) as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
        except KeyError as exc:
            raise XinyongError("exchange.file_missing", f"交换包中缺少 {name}", field=name) from exc
        except (zipfile.BadZipFile, OSError) as exc:
            raise XinyongError("exchange.file_damaged", f"交换包中的 {name} 已损坏", field=name) from exc
        if digest.hexdigest() != entry.get("sha256"):
            raise XinyongError(
                "exchange.checksum_mismatch", f"{name} 的 SHA-256 与清单不符：文件被改动或损坏", field=name
            )

    def lines(self, name: str) -> Iterator[Line]:
        """Each line of a file the manifest lists (none for one it does not), parsed; a bad line is
        returned with its problem and the reading goes on."""
        if name not in {entry["name"] for entry in self.manifest["files"]}:
            return
        with self._zip.open(name) as source:
            for number, raw in enumerate(source, start=1):
                try:
                    value = json.loads(raw)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    yield Line(number, value)
                else:
                    problem = Problem("exchange.bad_line", f"{name} 第 {number} 行不是 JSON 对象", row=number)
                    yield Line(number, None, problem)


def manifest_of(path: Path) -> dict[str, Any]:
    """A package's manifest as written, unverified: for listing this platform's own outgoing packages."""
    with zipfile.ZipFile(path) as package:
        if package.getinfo(MANIFEST).file_size > CHUNK:
            raise XinyongError("exchange.too_large", f"{path.name} 的 {MANIFEST} 过大", field=MANIFEST)
        manifest: dict[str, Any] = json.loads(package.read(MANIFEST))
        return manifest


def created_at(now: datetime) -> str:
    return now.isoformat(timespec="seconds")
