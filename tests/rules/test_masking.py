"""DATA-3: natural persons' data shown publicly is de-identified."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import Masking
from xinyong.rules.masking import MASK, mask_address, mask_citizen_id, mask_name, mask_person, mask_phone

pytestmark = pytest.mark.req("DATA-3")


@pytest.fixture(scope="module")
def masking() -> Masking:
    return load_profile("national").masking


def test_examples_with_the_national_profile(masking: Masking) -> None:
    m = masking
    keep_start, keep_end = m.citizen_id_keep_start.value, m.citizen_id_keep_end.value
    assert mask_citizen_id("110105194912310021", keep_start, keep_end) == "110105********0021"
    assert mask_phone("13812345678", m.phone_keep_start.value, m.phone_keep_end.value) == "138****5678"
    assert mask_name("张三", m.name_keep_start.value) == "张*"
    assert mask_name("张三丰", m.name_keep_start.value) == "张**"
    assert mask_name("欧阳娜娜", m.name_keep_start.value) == "欧***"
    assert mask_address("北京市朝阳区建国路88号", m.address_keep_start.value) == "北京市朝阳区******"


def test_short_values_reveal_nothing() -> None:
    assert mask_name("张", 1) == "*"
    assert mask_name("", 1) == ""
    assert mask_citizen_id("1101050021", 6, 4) == "**********"  # exactly keep_start + keep_end
    assert mask_citizen_id("110105002", 6, 4) == "*********"
    assert mask_phone("1234567", 3, 4) == "*******"
    assert mask_address("北京市朝阳区", 6) == "******"


def test_zero_and_negative_settings_reveal_nothing() -> None:
    assert mask_phone("13812345678", 0, 0) == "***********"
    assert mask_phone("13812345678", -3, -4) == "***********"
    assert mask_phone("13812345678", 3, 0) == "138********"


def test_none_stays_none() -> None:
    assert mask_name(None, 1) is None
    assert mask_citizen_id(None, 6, 4) is None
    assert mask_phone(None, 3, 4) is None
    assert mask_address(None, 6) is None


def test_mask_person_masks_by_field_name(masking: Masking) -> None:
    person = {
        "name": "欧阳娜娜",
        "citizen_id": "11010519491231002X",
        "phone": "13812345678",
        "address": "北京市朝阳区建国路88号",
        "sex": "女",
        "note": None,
    }
    assert mask_person(person, masking) == {
        "name": "欧***",
        "citizen_id": "110105********002X",
        "phone": "138****5678",
        "address": "北京市朝阳区******",
        "sex": "女",
        "note": None,
    }
    assert mask_person({"name": None, "phone": None}, masking) == {"name": None, "phone": None}
    assert person["name"] == "欧阳娜娜"  # the input is not changed


# ------------------------------------------------------------------------------------------ properties

Masker = Callable[[str, int, int], str]
MASKERS: list[Masker] = [
    lambda v, s, e: mask_name(v, s),
    mask_citizen_id,
    mask_phone,
    lambda v, s, e: mask_address(v, s),
]
_keep = st.integers(min_value=-2, max_value=12)


def revealed(masked: str) -> list[int]:
    return [i for i, ch in enumerate(masked) if ch != MASK]


@given(st.sampled_from(range(len(MASKERS))), st.text(), _keep, _keep)
def test_length_is_kept_and_only_allowed_characters_stay_in_place(
    which: int, value: str, keep_start: int, keep_end: int
) -> None:
    masker = MASKERS[which]
    keep_end = keep_end if masker in (mask_citizen_id, mask_phone) else 0
    masked = masker(value, keep_start, keep_end)
    assert len(masked) == len(value)
    shown = revealed(masked)
    assert len(shown) <= max(keep_start, 0) + max(keep_end, 0)
    assert all(masked[i] == value[i] for i in shown)
    assert len(shown) < len(value) or not value  # never the whole value


@given(st.sampled_from(range(len(MASKERS))), st.text(), _keep, _keep)
def test_masking_a_masked_value_reveals_nothing_new(
    which: int, value: str, keep_start: int, keep_end: int
) -> None:
    masker = MASKERS[which]
    once = masker(value, keep_start, keep_end)
    twice = masker(once, keep_start, keep_end)
    assert twice == once
    assert set(revealed(twice)) <= set(revealed(once))


@given(
    st.dictionaries(
        st.sampled_from(["name", "citizen_id", "phone", "address", "sex", "remark"]),
        st.none() | st.text(),
    )
)
def test_mask_person_keeps_lengths_and_other_fields(fields: dict[str, str | None]) -> None:
    masking = load_profile("national").masking
    masked = mask_person(fields, masking)
    assert masked.keys() == fields.keys()
    for key, value in fields.items():
        if value is None or key in ("sex", "remark"):
            assert masked[key] == value
        else:
            out = masked[key]
            assert out is not None and len(out) == len(value)
