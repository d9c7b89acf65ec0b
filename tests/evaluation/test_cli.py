"""``xinyong evaluate`` and ``xinyong inspect plan`` from the command line: one JSON document, exit 1 with
the reason on refused input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..test_cli import run


@pytest.mark.req("EVA-1", "EVA-2", "EVA-3")
def test_evaluate_export_and_plan_from_the_command_line(tmp_path: Path) -> None:
    env = {
        "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path}/own.db",
        "XINYONG_DATA_DIR": str(tmp_path / "var"),
        "XINYONG_FIXED_DATE": "2026-11-23",
    }
    assert run("demo", "--subjects", "40", "--no-serve", env=env).returncode == 0
    done = run("evaluate", "--json", env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) >= {"run", "model", "as_of", "subjects", "grades"}
    assert document["model"] == "public-credit" and document["as_of"] == "2026-11-23"
    assert document["subjects"] == sum(document["grades"].values()) > 0 and set(document["grades"]) == set(
        "ABCD"
    )
    earlier = json.loads(run("evaluate", "--as-of", "2026-06-30", "--json", env=env).stdout)
    assert earlier["run"] == document["run"] + 1 and earlier["as_of"] == "2026-06-30"
    output = tmp_path / "grades.csv"
    exported = run(
        "evaluate", "export", "--run", str(document["run"]), "--recipient", "某银行", "--format", "csv",
        "--output", str(output), env=env,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert len(output.read_text(encoding="utf-8-sig").splitlines()) == document["subjects"] + 1
    refused = run("evaluate", "export", "--run", "1", "--recipient", " ", "--output", str(output), env=env)
    assert refused.returncode == 1 and "evaluation.recipient_required" in refused.stderr
    pool = tmp_path / "inspectors.txt"
    pool.write_text("ZF001 张三\nZF002 李四\nZF003 王五\n", encoding="utf-8")
    args = ("inspect", "plan", "--title", "抽查", "--seed", "7", "--inspectors", str(pool), "--json")
    first, second = (json.loads(run(*args, env=env).stdout) for _ in range(2))
    assert first["plan"] != second["plan"] and first["sample"] == second["sample"] and first["sample"]
    assert all(len({i["id"] for i in s["inspectors"]}) == 2 for s in first["sample"])
    few = run(*args[:-1], "--per-subject", "4", env=env)
    assert few.returncode == 1 and "inspection.too_few_inspectors" in few.stderr
