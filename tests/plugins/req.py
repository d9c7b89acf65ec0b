"""Requirement traceability: ``@pytest.mark.req("OBJ-3")`` ties a test to a requirement of the catalog.

Collection fails when a test names an ID the catalog does not have. ``--req-report=FILE`` writes, for every
ID of the catalog, how many of its tests passed and failed (uncovered IDs appear with zeros). A test counts
once: failed if any of its phases failed, skipped if it was skipped, passed otherwise.

The catalog is ``../shared/REQUIREMENTS.md`` when present, else the copy in ``docs/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

_ID = re.compile(r"^- ([A-Z]+-\d+) ", re.MULTILINE)
_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def catalog_path(root: Path) -> Path:
    shared = root.parent / "shared" / "REQUIREMENTS.md"
    return shared if shared.is_file() else root / "docs" / "REQUIREMENTS.md"


def catalog_ids(path: Path) -> list[str]:
    return _ID.findall(path.read_text(encoding="utf-8"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--req-report", metavar="FILE", help="write per-requirement test results as JSON")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): the requirement IDs (REQUIREMENTS.md) this test proves")
    config.pluginmanager.register(Tracer(config), "req-tracer")


class Tracer:
    """One per pytest run, so nested runs (pytester) keep their own counts."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.catalog = catalog_path(config.rootpath)
        self.reqs: dict[str, list[str]] = {}
        self.outcomes: dict[str, str] = {}

    def pytest_report_header(self) -> str:
        return f"requirement catalog: {self.catalog}"

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        ids = set(catalog_ids(self.catalog))
        unknown: list[str] = []
        for item in items:
            marks = list(item.iter_markers("req"))
            named = [str(arg) for mark in marks for arg in mark.args]
            if any(mark.args == () for mark in marks):
                unknown.append(f"{item.nodeid}: req() names no requirement")
            unknown += [f"{item.nodeid}: {rid}" for rid in named if rid not in ids]
            if named:
                self.reqs[item.nodeid] = named
        if unknown:
            lines = "\n  ".join(unknown)
            raise pytest.UsageError(f"tests name requirements that are not in the catalog:\n  {lines}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.reqs or (report.when != "call" and report.outcome == "passed"):
            return
        previous = self.outcomes.get(report.nodeid, "passed")
        self.outcomes[report.nodeid] = max(previous, report.outcome, key=_RANK.__getitem__)

    def pytest_sessionfinish(self) -> None:
        target = self.config.getoption("--req-report")
        if not target:
            return
        result: dict[str, dict[str, Any]] = {
            rid: {"passed": 0, "failed": 0, "skipped": 0, "tests": []} for rid in catalog_ids(self.catalog)
        }
        for nodeid, outcome in self.outcomes.items():
            for rid in self.reqs[nodeid]:
                result[rid][outcome] += 1
                result[rid]["tests"].append(nodeid)
        Path(target).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
