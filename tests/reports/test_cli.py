"""``xinyong report``: the same tables on the command line, as JSON and written to XLSX (RPT-1, RPT-2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

from .conftest import ReportWorld


def report(world: ReportWorld, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COLUMNS": "200",
        "XINYONG_DATABASE_URL": world.settings.database_url,
        "XINYONG_DATA_DIR": str(world.settings.data_dir),
        "XINYONG_FIXED_DATE": "2026-11-23",
    }
    return subprocess.run(
        [sys.executable, "-m", "xinyong", "report", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.req("RPT-1", "RPT-2")
def test_report_as_json_and_xlsx(world: ReportWorld, tmp_path: Path) -> None:
    target = tmp_path / "providers.xlsx"
    done = report(
        world,
        "providers",
        "--from",
        "2026-09-01",
        "--to",
        "2026-11-23",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    (row,) = [r for r in json.loads(done.stdout)["rows"] if r[0] == world.provider]
    assert row[7:10] == [3, 2, "66.7%"]
    sheet = load_workbook(target).active
    assert any(r[0] == world.provider for r in sheet.iter_rows(values_only=True))
    silent = report(world, "silent", "--from", "2026-09-01")
    assert silent.returncode == 0 and "沉默测试局" in silent.stdout


def test_unknown_table_and_reversed_period_are_refused(world: ReportWorld) -> None:
    unknown = report(world, "everything")
    assert unknown.returncode == 1 and "report.kind" in unknown.stderr
    reversed_period = report(world, "cases", "--from", "2026-11-30", "--to", "2026-11-01")
    assert reversed_period.returncode == 1 and "report.period" in reversed_period.stderr
