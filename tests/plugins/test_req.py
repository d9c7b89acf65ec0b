"""The requirement marker: unknown IDs stop collection; ``--req-report`` counts results per ID."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

CATALOG = "# catalog\n- ABC-1 First thing. [X 1]\n- ABC-2 Second thing. [X 2]\n"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.mkdir("docs")
    (pytester.path / "docs" / "REQUIREMENTS.md").write_text(CATALOG, encoding="utf-8")
    return pytester


def test_an_unknown_requirement_fails_collection(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.req("ABC-9")
        def test_x():
            assert 1 + 1 == 2
        """
    )
    result = project.runpytest("-p", "tests.plugins.req")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*not in the catalog*", "*test_x: ABC-9*"])


def test_the_report_counts_every_catalog_id(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.req("ABC-1")
        def test_passes():
            assert sum([1, 2]) == 3

        @pytest.mark.req("ABC-1")
        def test_fails():
            assert sum([1, 2]) == 4
        """
    )
    report = project.path / "req.json"
    result = project.runpytest("-p", "tests.plugins.req", f"--req-report={report}")
    result.assert_outcomes(passed=1, failed=1)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data) == {"ABC-1", "ABC-2"}
    assert (data["ABC-1"]["passed"], data["ABC-1"]["failed"]) == (1, 1)
    assert len(data["ABC-1"]["tests"]) == 2
    assert (data["ABC-2"]["passed"], data["ABC-2"]["failed"], data["ABC-2"]["tests"]) == (0, 0, [])


def test_a_test_that_fails_in_teardown_counts_once_as_failed(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.fixture
        def leaky():
            yield 1
            raise RuntimeError("teardown failed")

        @pytest.mark.req("ABC-2")
        def test_uses_leaky(leaky):
            assert leaky == 1
        """
    )
    report = project.path / "req.json"
    project.runpytest("-p", "tests.plugins.req", f"--req-report={report}")
    entry = json.loads(report.read_text(encoding="utf-8"))["ABC-2"]
    assert (entry["passed"], entry["failed"], len(entry["tests"])) == (0, 1, 1)
