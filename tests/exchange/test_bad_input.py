"""A package that is too large, unsigned, altered, of an unknown format or with broken lines is refused
with a clear code naming the file; broken lines are refused one by one and the rest taken in (INT-1)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from xinyong.errors import XinyongError
from xinyong.exchange.package import MANIFEST, RECORDS, SIGNATURE, sign

from .conftest import EXCHANGE_KEY, Platforms, company, penalty_of


def _exported(platforms: Platforms, path: Path) -> dict[str, bytes]:
    code, name = company("丙测试餐饮有限公司")
    platforms.deliver(
        penalty_of(code, name, "济市监罚〔2026〕201号"), penalty_of(code, name, "济市监罚〔2026〕202号")
    )
    platforms.export(path, since=platforms.start)
    with zipfile.ZipFile(path) as package:
        return {n: package.read(n) for n in package.namelist()}


def _write(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
    return path


def _resigned(files: dict[str, bytes], *, key: str = EXCHANGE_KEY, **changes: object) -> dict[str, bytes]:
    """The files with the manifest changed (and each listed file's checksum recomputed), signed again."""
    manifest = json.loads(files[MANIFEST]) | changes
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["name"]]).hexdigest()
    data = json.dumps(manifest).encode()
    return {**files, MANIFEST: data, SIGNATURE: sign(key.encode(), data).encode()}


def _refused(platforms: Platforms, path: Path) -> XinyongError:
    with pytest.raises(XinyongError) as refused:
        platforms.receive(path)
    return refused.value


@pytest.mark.req("INT-1")
def test_an_altered_file_fails_its_checksum_and_is_named(platforms: Platforms, tmp_path: Path) -> None:
    files = _exported(platforms, tmp_path / "good.zip")
    files[RECORDS] = files[RECORDS].replace("济市监罚".encode(), "某市监罚".encode(), 1)
    error = _refused(platforms, _write(tmp_path / "altered.zip", files))
    assert (error.code, error.problem.field) == ("exchange.checksum_mismatch", RECORDS)
    assert RECORDS in error.message


@pytest.mark.req("INT-1")
def test_a_changed_manifest_or_another_key_fails_the_signature(platforms: Platforms, tmp_path: Path) -> None:
    files = _exported(platforms, tmp_path / "good.zip")
    forged = {**files, MANIFEST: files[MANIFEST].replace(b'"increment"', b'"snapshot"')}
    assert _refused(platforms, _write(tmp_path / "forged.zip", forged)).code == "exchange.bad_signature"
    other_key = _resigned(files, key="not-the-shared-key")
    error = _refused(platforms, _write(tmp_path / "other.zip", other_key))
    assert (error.code, error.problem.field) == ("exchange.bad_signature", MANIFEST)


@pytest.mark.req("INT-1")
def test_missing_manifest_unknown_format_and_not_a_zip_are_refused(
    platforms: Platforms, tmp_path: Path
) -> None:
    files = _exported(platforms, tmp_path / "good.zip")
    bare = {RECORDS: files[RECORDS]}
    assert _refused(platforms, _write(tmp_path / "bare.zip", bare)).code == "exchange.manifest_missing"
    future = _resigned(files, format="xinyong-exchange/9")
    error = _refused(platforms, _write(tmp_path / "future.zip", future))
    assert error.code == "exchange.format_unknown" and "xinyong-exchange/9" in error.message
    (tmp_path / "text.zip").write_text("这不是压缩包")
    assert _refused(platforms, tmp_path / "text.zip").code == "exchange.not_a_package"


@pytest.mark.req("INT-1")
def test_a_zip_bomb_is_refused_by_the_size_setting_before_reading(
    platforms: Platforms, tmp_path: Path
) -> None:
    files = _exported(platforms, tmp_path / "good.zip")
    limit = 1024 * 1024
    platforms.other = platforms.other.model_copy(update={"exchange_max_bytes": limit})
    bomb = _write(tmp_path / "bomb.zip", {**files, "padding.bin": bytes(limit * 8)})
    assert bomb.stat().st_size < limit  # small on disk, eight times the limit unpacked
    error = _refused(platforms, bomb)
    assert error.code == "exchange.too_large" and f"{limit:,}" in error.message


@pytest.mark.req("INT-1")
def test_broken_lines_are_refused_by_line_and_the_rest_taken_in(platforms: Platforms, tmp_path: Path) -> None:
    files = _exported(platforms, tmp_path / "good.zip")
    first, second = files[RECORDS].splitlines(keepends=True)
    unknown = json.loads(first) | {"item": "no-such-item"}
    files[RECORDS] = first + b"{not json\n" + b"[1, 2]\n" + second + json.dumps(unknown).encode() + b"\n"
    got = platforms.receive(_write(tmp_path / "broken.zip", _resigned(files)))
    assert (got.accepted, got.rejected) == (2, 3)
    assert [(r["file"], r["row"], r["code"]) for r in got.rejects] == [
        (RECORDS, 2, "exchange.bad_line"),
        (RECORDS, 3, "exchange.bad_line"),
        (RECORDS, 5, "catalog.unknown_item"),
    ]
