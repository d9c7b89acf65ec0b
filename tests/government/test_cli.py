"""``xinyong government evaluate``: the regional evaluation from the command line, one JSON document with
``--json``; a refused date exits 1 with its code (GOV-4)."""

from __future__ import annotations

import json

import pytest

from ..test_cli import run
from .conftest import GovWorld


@pytest.mark.req("GOV-4")
def test_government_evaluate_prints_each_region_and_the_warnings(gov: GovWorld) -> None:
    region = gov.region("丙区")
    gov.body(region)
    gov.client.put(
        f"/api/v1/government/regions/{region}/debt/2025",
        headers=gov.operator,
        json={"debt_balance": "1300", "fiscal_capacity": "1000", "source": "财政局"},
    )
    env = {
        "XINYONG_DATABASE_URL": gov.settings.database_url,
        "XINYONG_DATA_DIR": str(gov.settings.data_dir),
        "XINYONG_FIXED_DATE": "2026-11-23",
    }
    done = run("government", "evaluate", "--json", env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["as_of"] == "2026-11-23"
    assert {"region": region, "name": "丙区", "score": "100.00", "grade": "A"} in answer["results"]
    assert {"region": region, "year": 2025, "ratio": "1.3000", "level": "red"} in answer["warnings"]
    text = run("government", "evaluate", "--as-of", "2026-11-23", env=env)
    assert text.returncode == 0 and f"{region} 丙区：100.00 分，A（诚信）" in text.stdout
    bad = run("government", "evaluate", "--as-of", "2026-02-30", env=env)
    assert bad.returncode == 1 and "date.invalid" in bad.stderr
