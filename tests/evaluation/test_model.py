"""The evaluation model is data (EVA-1): the shipped model loads and is published; a model file whose weights
do not add up, whose indicator kind, catalog item or list type is unknown, or whose bands overlap or leave a
gap is refused with its file and line."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xinyong.errors import XinyongError
from xinyong.evaluation import loading
from xinyong.evaluation.loading import SHIPPED_DIR, line_of

from ..conftest import TODAY

SHIPPED = (SHIPPED_DIR / "national.toml").read_text(encoding="utf-8")


def local_model(data_dir: Path, text: str, name: str = "city.toml") -> Path:
    folder = data_dir / "evaluation"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def as_local(text: str = SHIPPED, version: str = "city-1", effective: str = "2026-07-01") -> str:
    return (
        text.replace('scope = "national"', 'scope = "local"')
        .replace('version = "2026.1"', f'version = "{version}"')
        .replace("effective_from = 2026-01-01", f"effective_from = {effective}")
    )


def refused(tmp_path: Path, text: str) -> XinyongError:
    local_model(tmp_path, text)
    loading.models.cache_clear()
    with pytest.raises(XinyongError) as caught:
        loading.models(tmp_path)
    loading.models.cache_clear()
    return caught.value


def line_containing(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


@pytest.mark.req("EVA-1")
def test_the_shipped_model_has_weights_of_100_and_bands_from_0_to_100(tmp_path: Path) -> None:
    model = loading.models(tmp_path).in_force(TODAY)
    assert (
        model.key == "public-credit@2026.1" and model.approved_by and model.effective_from == date(2026, 1, 1)
    )
    assert sum(i.weight for i in model.indicators) == 100
    bands = sorted((b.min, b.max) for b in model.bands)
    assert bands[0][0] == 0 and bands[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bands))
    assert [b.grade for b in model.sorted_bands()] == ["A", "B", "C", "D"]
    assert all(0 < b.sampling_ratio <= 1 and b.frequency >= 1 for b in model.bands)
    assert model.band(9000).grade == "A" and model.band(8999).grade == "B" and model.band(10000).grade == "A"


@pytest.mark.req("EVA-1")
def test_weights_that_do_not_add_up_are_refused_naming_the_file_and_line(tmp_path: Path) -> None:
    text = as_local().replace("weight = 10\n", "weight = 5\n", 1)
    error = refused(tmp_path, text)
    assert error.code == "evaluation.invalid"
    assert "city.toml" in error.message and "权重合计应为 100，实为 95" in error.message
    assert error.problem.row == line_containing(text, "weight = 5")
    assert f"第 {error.problem.row} 行" in error.message


@pytest.mark.req("EVA-1")
def test_an_unknown_indicator_kind_is_refused_naming_its_line(tmp_path: Path) -> None:
    text = as_local().replace('kind = "item"', 'kind = "rumour"')
    error = refused(tmp_path, text)
    assert error.problem.row == line_containing(text, 'kind = "rumour"')
    assert "indicators.4.kind" in error.message and "category" in error.message


@pytest.mark.req("EVA-1")
@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('item = "abnormal-operation"', 'item = "gossip"', "目录项 'gossip' 不在公共信用信息目录中"),
        ('list_kind = "red"', 'list_type = "no-such-list"', "名单类型 'no-such-list' 不存在"),
    ],
)
def test_unknown_catalog_items_and_list_types_are_refused(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    text = as_local().replace(old, new)
    error = refused(tmp_path, text)
    assert said in error.message and error.problem.row == line_containing(text, new)


@pytest.mark.req("EVA-1")
def test_overlapping_and_missing_bands_are_refused_naming_their_lines(tmp_path: Path) -> None:
    overlap = as_local().replace("min = 75\nmax = 90", "min = 70\nmax = 90")
    error = refused(tmp_path, overlap)
    assert "重叠" in error.message and error.problem.row == line_containing(overlap, "min = 70")
    gap = as_local().replace("min = 60\nmax = 75", "min = 65\nmax = 75")
    error = refused(tmp_path, gap)
    assert "缺漏：60–65 分" in error.message and error.problem.row == line_containing(gap, "min = 65")
    ratio = as_local().replace("sampling_ratio = 0.3", "sampling_ratio = 1.5")
    error = refused(tmp_path, ratio)
    assert "抽查比例 1.5 大于 1" in error.message and error.problem.row == line_containing(ratio, "1.5")


def test_a_structural_error_names_its_line_too(tmp_path: Path) -> None:
    text = as_local().replace("cap = 2\n", 'cap = "two"\n')
    error = refused(tmp_path, text)
    assert error.problem.row == line_containing(text, 'cap = "two"') and "应为整数" in error.message


def test_line_of_finds_top_level_keys_tables_and_keys_inside_them() -> None:
    text = 'code = "x"\n\n[[indicators]]\ncode = "a"\n\n[[indicators]]\ncode = "b"\n[[bands]]\ngrade = "A"\n'
    assert line_of(text, ("code",)) == 1
    assert line_of(text, ("indicators", 1, "code")) == 7
    assert line_of(text, ("indicators", 1)) == 6
    assert line_of(text, ("indicators", 1, "weight")) == 6  # a missing key: its table
    assert line_of(text, ("bands", 0, "grade")) == 9


@pytest.mark.req("EVA-1")
def test_a_local_model_takes_over_from_its_effective_date(tmp_path: Path) -> None:
    local_model(tmp_path, as_local(effective="2026-12-01"))
    loading.models.cache_clear()
    try:
        found = loading.models(tmp_path)
        assert found.in_force(TODAY).key == "public-credit@2026.1"
        assert found.in_force(date(2026, 12, 1)).key == "public-credit@city-1"
        with pytest.raises(XinyongError) as before:
            found.in_force(date(2025, 12, 31))
        assert before.value.code == "evaluation.no_model"
    finally:
        loading.models.cache_clear()


@pytest.mark.req("EVA-1")
def test_the_model_in_force_is_published_by_api_and_page(client: TestClient) -> None:
    model = client.get("/api/v1/evaluation/model").json()
    assert model["code"] == "public-credit" and model["version"] == "2026.1"
    assert model["approved_by"] and model["effective_from"] == "2026-01-01" and model["chosen"] is True
    assert sum(i["weight"] for i in model["indicators"]) == 100
    assert [b["grade"] for b in model["bands"]] == ["A", "B", "C", "D"]
    assert model["bands"][-1]["sampling_ratio"] == 0.3 and model["bands"][-1]["frequency"] == 4
    page = client.get("/evaluation").text
    assert "公共信用综合评价模型" in page and "运营方设定" in page and "严重失信主体名单" in page
    assert "30%" in page and model["approved_by"] in page and "/evaluation" in client.get("/").text
