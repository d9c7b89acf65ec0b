"""Requirement traceability: ``@pytest.mark.req("OBJ-3")`` ties a test to a requirement of the catalog.

Collection fails when a test names an ID the catalog does not have. ``--req-report=FILE`` writes, for every
ID of the catalog, how many of its tests passed and failed (uncovered IDs appear with zeros).

The catalog is ``../shared/REQUIREMENTS.md`` when present, else the copy in ``docs/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

_ID = re.compile(r"^- ([A-Z]+-\d+) ", re.MULTILINE)
_REPORT: dict[str, dict[str, object]] = {}
_ITEM_REQS: dict[str, list[str]] = {}


def catalog_path(root: Path) -> Path:
    shared = root.parent / "shared" / "REQUIREMENTS.md"
    return shared if shared.is_file() else root / "docs" / "REQUIREMENTS.md"


def catalog_ids(path: Path) -> list[str]:
    return _ID.findall(path.read_text(encoding="utf-8"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--req-report", metavar="FILE", help="write per-requirement test results as JSON")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): the requirement IDs (REQUIREMENTS.md) this test proves")


def pytest_report_header(config: pytest.Config) -> str:
    return f"requirement catalog: {catalog_path(config.rootpath)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ids = set(catalog_ids(catalog_path(config.rootpath)))
    unknown: list[str] = []
    for item in items:
        named = [str(arg) for mark in item.iter_markers("req") for arg in mark.args]
        if any(mark.args == () for mark in item.iter_markers("req")):
            unknown.append(f"{item.nodeid}: req() names no requirement")
        unknown += [f"{item.nodeid}: {rid}" for rid in named if rid not in ids]
        _ITEM_REQS[item.nodeid] = named
    if unknown:
        raise pytest.UsageError(
            "tests name requirements that are not in the catalog:\n  " + "\n  ".join(unknown)
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        for rid in _ITEM_REQS.get(report.nodeid, []):
            entry = _REPORT.setdefault(rid, {"passed": 0, "failed": 0, "skipped": 0, "tests": []})
            tests = entry["tests"]
            assert isinstance(tests, list)
            if report.nodeid not in tests:
                tests.append(report.nodeid)
            entry[report.outcome] = int(str(entry[report.outcome])) + 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = session.config.getoption("--req-report")
    if not target:
        return
    ids = catalog_ids(catalog_path(session.config.rootpath))
    empty: dict[str, object] = {"passed": 0, "failed": 0, "skipped": 0, "tests": []}
    result = {rid: _REPORT.get(rid, dict(empty)) for rid in ids}
    Path(target).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
