"""``xinyong exchange export`` / ``import`` and the sweep's daily packages (INT-1)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.exchange import service as exchange
from xinyong.exchange.package import MANIFEST
from xinyong.settings import Settings

from ..test_cli import run
from .conftest import EXCHANGE_KEY, Platforms, company, penalty_of


def _env(settings: Settings, platform: str) -> dict[str, str]:
    return {
        "XINYONG_DATABASE_URL": settings.database_url,
        "XINYONG_DATA_DIR": str(settings.data_dir),
        "XINYONG_FIXED_DATE": "2026-11-23",
        "XINYONG_EXCHANGE_KEY": EXCHANGE_KEY,
        "XINYONG_EXCHANGE_PLATFORM": platform,
    }


@pytest.mark.req("INT-1")
def test_export_continues_from_the_watermark_and_import_reports_json(
    platforms: Platforms, tmp_path: Path
) -> None:
    city = _env(platforms.city, platforms.city.exchange_platform)
    other = _env(platforms.other, "province")
    code, name = company("丁测试物流有限公司")
    platforms.deliver(penalty_of(code, name, "济市监罚〔2026〕301号"))
    since = str(platforms.start)
    first = run(
        "exchange", "export", "--since", since, "--output", str(tmp_path / "a.zip"), "--json", env=city
    )
    assert first.returncode == 0, first.stderr
    exported = json.loads(first.stdout)
    assert exported["kind"] == "increment" and exported["files"]["records.jsonl"] >= 1
    with zipfile.ZipFile(tmp_path / "a.zip") as package:
        manifest = json.loads(package.read(MANIFEST))
    assert manifest["format"] == "xinyong-exchange/1"
    assert manifest["producer"] == platforms.city.exchange_platform
    assert manifest["watermark"] == exported["watermark"]
    assert {f["name"] for f in manifest["files"]} == {"records.jsonl", "list_entries.jsonl", "removals.jsonl"}

    taken = run("exchange", "import", str(tmp_path / "a.zip"), "--json", env=other)
    assert taken.returncode == 0, taken.stderr
    report = json.loads(taken.stdout)
    assert (report["accepted"], report["rejected"], report["rejects"]) == (1, 0, [])

    # A destination's watermark: an export without --since starts where its last one ended.
    kept = run(
        "exchange", "export", "--output", str(tmp_path / "c.zip"), "--destination", "d1", "--json", env=city
    )
    assert json.loads(kept.stdout)["watermark"]["from"] == "0:0"
    after = run(
        "exchange", "export", "--output", str(tmp_path / "d.zip"), "--destination", "d1", "--json", env=city
    )
    assert json.loads(after.stdout)["watermark"]["from"] == json.loads(kept.stdout)["watermark"]["to"]


@pytest.mark.req("INT-1")
def test_refusals_exit_1_with_the_code(platforms: Platforms, tmp_path: Path) -> None:
    city = _env(platforms.city, platforms.city.exchange_platform)
    bad = run("exchange", "export", "--since", "yesterday", "--output", str(tmp_path / "x.zip"), env=city)
    assert bad.returncode == 1 and "exchange.watermark_invalid" in bad.stderr
    (tmp_path / "y.zip").write_bytes(b"PK\x03\x04broken")
    refused = run("exchange", "import", str(tmp_path / "y.zip"), env=city)
    assert refused.returncode == 1 and "exchange.not_a_package" in refused.stderr


@pytest.mark.req("INT-1")
def test_the_sweep_writes_the_days_snapshot_and_increment(platforms: Platforms) -> None:
    city = _env(platforms.city, platforms.city.exchange_platform)
    done = run("sweep", "--json", env=city)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    increment, snapshot = Path(result["exchange_package"]), Path(result["exchange_snapshot"])
    out = platforms.city.data_dir / "exchange" / "out"
    assert increment.parent.resolve() == snapshot.parent.resolve() == out.resolve()
    assert snapshot.name == "snapshot-2026-11-23.zip" and increment.is_file() and snapshot.is_file()
    again = json.loads(run("sweep", "--json", env=city).stdout)  # the next increment starts where this ended
    with zipfile.ZipFile(increment) as first, zipfile.ZipFile(again["exchange_package"]) as second:
        ended = json.loads(first.read(MANIFEST))["watermark"]["to"]
        assert json.loads(second.read(MANIFEST))["watermark"]["from"] == ended


@pytest.mark.req("INT-1")
def test_the_sweep_writes_a_snapshot_once_the_latest_is_as_old_as_the_setting_says(
    platforms: Platforms, tmp_path: Path
) -> None:
    weekly = platforms.city.model_copy(update={"data_dir": tmp_path / "var", "exchange_snapshot_days": 7})
    out = weekly.data_dir / "exchange" / "out"
    out.mkdir(parents=True)
    (out / "snapshot-2026-02-30.zip").write_bytes(b"")  # no date: not a snapshot of the sweep's
    actor = audit_actor(system_actor(policy()))

    def sweep_on(day: date, settings: Settings = weekly) -> tuple[Path | None, Path]:
        return exchange.daily_packages(platforms.city_sessions, settings=settings, as_of=day, actor=actor)

    first, _ = sweep_on(date(2026, 11, 23))
    assert first is not None and first.name == "snapshot-2026-11-23.zip" and first.is_file()
    for later in (date(2026, 11, 24), date(2026, 11, 29)):  # six days old: still the latest
        snapshot, increment = sweep_on(later)
        assert snapshot == first and increment.name.startswith(f"increment-{later}")
    renewed, _ = sweep_on(date(2026, 11, 30))  # seven days old: a new one
    assert renewed is not None and renewed.name == "snapshot-2026-11-30.zip" and renewed.is_file()
    assert sweep_on(date(2026, 11, 26))[0] == first  # an earlier day's sweep keeps to what existed then
    assert sorted(p.name for p in out.glob("snapshot-2026-11-*.zip")) == [first.name, renewed.name]

    never = weekly.model_copy(update={"data_dir": tmp_path / "apart", "exchange_snapshot_days": 0})
    snapshot, increment = sweep_on(date(2026, 11, 23), never)
    assert snapshot is None and increment.is_file()
    assert [p.name for p in increment.parent.iterdir()] == [increment.name]
