"""``xinyong agency``: register, suspend and list credit service agencies from the command line (MKT-3)."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import Engine

from xinyong.settings import Settings

from ..test_cli import run
from .conftest import fresh_company


@pytest.mark.req("MKT-3")
def test_agency_commands(settings: Settings, engine: Engine) -> None:
    env = {
        "XINYONG_DATABASE_URL": settings.database_url,
        "XINYONG_DATA_DIR": str(settings.data_dir),
        "XINYONG_FIXED_DATE": "2026-11-23",
    }
    code = f"xyfw-{secrets.token_hex(3)}"
    added = run(
        "org",
        "add",
        "--code",
        code,
        "--name",
        "某征信服务公司",
        "--kind",
        "agency",
        "--uscc",
        fresh_company(),
        env=env,
    )
    assert added.returncode == 0, added.stderr
    common = ["--filing-number", f"备-{code}", "--registered-on", "2026-02-01", "--scope", "企业征信"]
    refused = run("agency", "register", code, *common, "--commitment", " ", env=env)
    assert refused.returncode == 1 and "agency.commitment_required" in refused.stderr
    made = run("agency", "register", code, *common, "--commitment", "依法开展征信业务", "--json", env=env)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["status"] == "active"
    silent = run("agency", "status", code, "suspended", env=env)
    assert silent.returncode == 1 and "agency.reason_required" in silent.stderr
    suspended = run(
        "agency", "status", code, "suspended", "--reason", "未按期报送业务报告", "--json", env=env
    )
    assert json.loads(suspended.stdout)["status_label"] == "已暂停"
    listed = {a["org"]: a for a in json.loads(run("agency", "list", "--json", env=env).stdout)}
    assert listed[code]["status"] == "suspended" and listed[code]["status_reason"] == "未按期报送业务报告"
