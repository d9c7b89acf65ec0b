"""Jurisdiction profiles: the shipped files carry their regulations' numbers; the loader refuses bad files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from xinyong.errors import XinyongError
from xinyong.profiles.loader import BUILTIN, builtin_names, load_profile
from xinyong.profiles.schema import LocalPeriod, Profile, PublicityRegime, Setting, Span
from xinyong.rules.periods import public_period

SHIPPED = ("national", "jinan", "liaoning", "ct", "jiangsu")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(name: str, search: tuple[Path, ...] = ()) -> XinyongError:
    """The error that loading ``name`` must raise."""
    with pytest.raises(XinyongError) as caught:
        load_profile(name, search)
    return caught.value


def bases(model: BaseModel, at: str = "") -> Iterator[tuple[str, str, bool | None]]:
    """Every ``basis`` in a profile with its key; ``chosen`` is None for rules that have no such flag."""
    if isinstance(model, Setting):
        yield at, model.basis, model.chosen
        return
    if isinstance(model, PublicityRegime | LocalPeriod):
        yield at, model.basis, None
    for field in type(model).model_fields:
        value = getattr(model, field)
        key = f"{at}.{field}" if at else field
        children: Iterable[tuple[object, object]] = ()
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        if isinstance(value, BaseModel):
            yield from bases(value, key)
        for sub, child in children:
            if isinstance(child, BaseModel):
                yield from bases(child, f"{key}.{sub}")


# ---------------------------------------------------------------------------------------- shipped profiles


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads(name: str) -> None:
    profile = load_profile(name)
    assert isinstance(profile, Profile)
    assert profile.name == name
    assert profile.title
    assert profile.sources
    assert profile.extends == (None if name == "national" else "national")


@pytest.mark.req("PROF-1")
def test_the_shipped_set_is_the_builtin_set() -> None:
    assert set(SHIPPED) == set(BUILTIN) == set(builtin_names())


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize("name", ("jinan", "liaoning", "ct", "jiangsu"))
def test_local_settings_cite_their_own_regulation(name: str) -> None:
    """A setting the local file overrides cites the local code: no page shows a national basis for it."""
    code = {"jinan": "JN", "liaoning": "LN", "ct": "CT", "jiangsu": "JS-"}[name]
    national = {key: basis for key, basis, _ in bases(load_profile("national"))}
    for key, basis, _chosen in bases(load_profile(name)):
        if national.get(key) != basis:
            assert code in basis, f"{name}: {key} overridden without citing {code}: {basis}"


@pytest.mark.req("PROF-1")
def test_chosen_values_say_so_in_their_label() -> None:
    platform = load_profile("jinan").revocation.platform_apply_days
    assert platform.chosen
    assert "非该法规规定" in platform.label()
    provider = load_profile("jinan").revocation.provider_notice_days
    assert not provider.chosen
    assert provider.label() == provider.basis


# ---------------------------------------------------------------------------------------- Jinan


@pytest.mark.req("PROF-1")
def test_jinan_objection_deadlines_and_no_national_step_leaks_in() -> None:
    deadlines = load_profile("jinan").objection.deadlines
    assert set(deadlines) == {"handle", "handle_with_verification"}
    assert deadlines["handle"].value == 3
    assert deadlines["handle_with_verification"].value == 7
    assert not deadlines["handle"].chosen
    assert not deadlines["handle_with_verification"].chosen
    assert all("JN 第四十条" in s.basis for s in deadlines.values())
    # national has check / provider_reply / result_notice; Jinan's procedure has none of them.
    assert "check" in load_profile("national").objection.deadlines
    assert "check" not in deadlines
    assert "provider_reply" not in deadlines
    assert "result_notice" not in deadlines


@pytest.mark.req("PROF-1")
def test_jinan_local_period_is_five_years_from_the_end_of_the_behaviour() -> None:
    local = load_profile("jinan").publicity.local
    assert local is not None
    assert local.runs_from == "behaviour_end"
    assert {severity: span.iso() for severity, span in local.max.items()} == {
        "minor": "P5Y",
        "general": "P5Y",
        "serious": "P5Y",
    }
    assert "JN 第二十二条" in local.basis


@pytest.mark.req("PER-1")
def test_jinan_local_cap_ends_publicity_before_the_national_maximum() -> None:
    publicity = load_profile("jinan").publicity
    # A serious record decided 2026-05-06 for behaviour that ended 2024-01-15: the national rule allows 3
    # years from the decision (2029-05-06); Jinan's 5 years from the end of the behaviour end sooner.
    period = public_period(
        publicity, severity="serious", decision_date=date(2026, 5, 6), behaviour_end=date(2024, 1, 15)
    )
    assert period.last_public_day == date(2029, 1, 15)
    assert "JN 第二十二条" in period.end_basis
    # The national profile has no local cap: the 3-year maximum applies.
    national = public_period(
        load_profile("national").publicity,
        severity="serious",
        decision_date=date(2026, 5, 6),
        behaviour_end=date(2024, 1, 15),
    )
    assert national.last_public_day == date(2029, 5, 6)


@pytest.mark.req("PROF-1")
def test_jinan_revocation_provider_three_days_platform_only_promptly() -> None:
    revocation = load_profile("jinan").revocation
    assert revocation.provider_notice_days.value == 3
    assert not revocation.provider_notice_days.chosen
    assert "JN 第四十一条" in revocation.provider_notice_days.basis
    assert revocation.platform_apply_days.value == 2
    assert revocation.platform_apply_days.chosen
    assert "及时" in revocation.platform_apply_days.basis


@pytest.mark.req("PROF-1")
def test_disclosure_modes_follow_each_regulation() -> None:
    modes = {name: load_profile(name).disclosure.modes for name in SHIPPED}
    assert modes["jinan"].value == ["public", "shared", "duty", "authorized"]
    assert modes["liaoning"].value == ["public", "shared", "duty", "authorized"]
    assert modes["jiangsu"].value == ["public", "shared", "authorized"]
    assert modes["ct"].value == ["public", "shared", "duty", "real_name", "authorized"]
    assert "JN 第十九条" in modes["jinan"].basis
    assert "LN 第十七条" in modes["liaoning"].basis and "第二十一条" in modes["liaoning"].basis
    assert "第二十一条" in modes["jinan"].basis
    assert "CT 第二十二条" in modes["ct"].basis
    assert "JS-P 第十九条" in modes["jiangsu"].basis
    assert not any(mode.chosen for name, mode in modes.items() if name != "national")


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize(("name", "article"), [("jinan", "JN 第十九条"), ("ct", "CT 第二十三条")])
def test_masking_cites_the_local_article_but_stays_an_operator_choice(name: str, article: str) -> None:
    masking = load_profile(name).masking
    national = load_profile("national").masking
    for field in type(masking).model_fields:
        setting = getattr(masking, field)
        assert article in setting.basis
        assert setting.chosen
        assert setting.value == getattr(national, field).value


# ---------------------------------------------------------------------------------------- Liaoning


@pytest.mark.req("PROF-1")
def test_liaoning_objection_deadlines() -> None:
    deadlines = load_profile("liaoning").objection.deadlines
    assert {step: s.value for step, s in deadlines.items()} == {
        "check": 3,
        "own_error_notice": 2,
        "provider_reply": 5,
        "result_notice": 2,
    }
    assert not any(s.chosen for s in deadlines.values())
    assert all("LN 第三十七条" in s.basis for s in deadlines.values())


@pytest.mark.req("PROF-1")
def test_liaoning_pause_for_testing_and_expert_review_is_law() -> None:
    pause = load_profile("liaoning").objection.pause_for
    assert set(pause.value) == {"检验", "检测", "检疫", "鉴定", "专家评审"}
    assert not pause.chosen
    assert "LN 第三十七条" in pause.basis


@pytest.mark.req("PROF-1")
def test_liaoning_and_ct_require_a_mark_but_say_nothing_of_suspension() -> None:
    for name, article in (("liaoning", "LN 第三十七条"), ("ct", "CT 第四十二条")):
        mark = load_profile(name).objection.mark_suspends_publicity
        assert article in mark.basis
        assert mark.chosen


@pytest.mark.req("PROF-1")
def test_liaoning_removed_key_monitoring_is_an_operator_choice_citing_ln_30() -> None:
    monitoring = load_profile("liaoning").lists.removed_key_monitoring
    assert monitoring.chosen
    assert "LN 第三十条" in monitoring.basis
    assert monitoring.value.iso() == "P0D"


@pytest.mark.req("PROF-1")
def test_liaoning_minors_without_an_age_in_law() -> None:
    age = load_profile("liaoning").leniency.minor_age
    assert age.chosen
    assert "LN 第三十一条" in age.basis


# ---------------------------------------------------------------------------------------- CT


@pytest.mark.req("PROF-1")
def test_ct_minor_age_sixteen() -> None:
    age = load_profile("ct").leniency.minor_age
    assert age.value == 16
    assert not age.chosen
    assert "CT 第十六条" in age.basis


@pytest.mark.req("PROF-1")
def test_ct_revocation_three_and_two_working_days() -> None:
    revocation = load_profile("ct").revocation
    assert revocation.provider_notice_days.value == 3
    assert revocation.platform_apply_days.value == 2
    assert not revocation.provider_notice_days.chosen
    assert not revocation.platform_apply_days.chosen
    assert "CT 第四十五条" in revocation.provider_notice_days.basis
    assert "CT 第四十五条" in revocation.platform_apply_days.basis


@pytest.mark.req("PROF-1")
def test_ct_objection_deadlines_are_all_operator_choices() -> None:
    deadlines = load_profile("ct").objection.deadlines
    assert deadlines
    assert "correction" in deadlines
    for step, setting in deadlines.items():
        assert setting.chosen, step
        assert "CT 第四十二条" in setting.basis, step


# ---------------------------------------------------------------------------------------- Jiangsu


@pytest.mark.req("PROF-1")
def test_jiangsu_objection_deadlines() -> None:
    deadlines = load_profile("jiangsu").objection.deadlines
    values = {step: s.value for step, s in deadlines.items()}
    assert values == {"review": 10, "provider_reply": 5, "correction": 3}
    assert not any(s.chosen for s in deadlines.values())
    assert all("JS-P 第三十二条" in s.basis for s in deadlines.values())


@pytest.mark.req("PROF-1")
def test_jiangsu_mark_does_not_suspend_publicity() -> None:
    mark = load_profile("jiangsu").objection.mark_suspends_publicity
    assert mark.value is False
    assert not mark.chosen
    assert "JS-P 第三十二条" in mark.basis
    assert load_profile("national").objection.mark_suspends_publicity.value is True


@pytest.mark.req("PER-1")
def test_jiangsu_local_period_from_determination() -> None:
    local = load_profile("jiangsu").publicity.local
    assert local is not None
    assert local.runs_from == "determination_date"
    assert local.max["general"] == Span(years=1)
    assert local.max["serious"] == Span(years=3)
    assert local.max["minor"] == local.max["general"]
    assert "JS-P 第三十条" in local.basis
    # A general record decided 2026-05-06, determined 2026-04-20: 1 year from determination ends first.
    period = public_period(
        load_profile("jiangsu").publicity,
        severity="general",
        decision_date=date(2026, 5, 6),
        determination_date=date(2026, 4, 20),
    )
    assert period.last_public_day == date(2027, 4, 20)


@pytest.mark.req("PROF-1")
def test_jiangsu_repair_conditions() -> None:
    repair = load_profile("jiangsu").repair
    assert repair.clean_period.value == Span(years=1)
    assert "JS-P 第三十四条" in repair.clean_period.basis
    assert repair.publicity_days.value == 5
    assert "JS-P 第三十五条" in repair.publicity_days.basis
    assert repair.requires_commitment.value is True
    assert "JS-P 第三十四条" in repair.requires_commitment.basis
    assert not any(s.chosen for s in (repair.clean_period, repair.publicity_days, repair.requires_commitment))


@pytest.mark.req("PROF-1")
def test_jiangsu_removed_black_list_subjects_stay_monitored() -> None:
    monitoring = load_profile("jiangsu").lists.removed_key_monitoring
    assert "JS-J（十七）" in monitoring.basis
    assert "重点监测" in monitoring.basis
    assert monitoring.chosen  # JS-J gives no period
    assert monitoring.value.key() > (0, 0)


# ---------------------------------------------------------------------------------------- inheritance


@pytest.mark.req("PROF-1")
def test_children_keep_what_they_do_not_override() -> None:
    national = load_profile("national")
    jinan = load_profile("jinan")
    ct = load_profile("ct")
    # Jinan says nothing of repair, leniency, key monitoring or the national regimes: national's stay.
    assert jinan.repair == national.repair
    assert jinan.leniency == national.leniency
    assert jinan.lists == national.lists
    assert jinan.publicity.regimes == national.publicity.regimes
    assert jinan.publicity.retention == national.publicity.retention
    assert jinan.objection.pause_for == national.objection.pause_for
    # CT overrides one revocation key set and leaves repair alone.
    assert ct.repair == national.repair
    assert ct.timeliness == national.timeliness


@pytest.mark.req("PROF-1")
def test_deployment_file_overriding_one_key_keeps_the_parents_others(tmp_path: Path) -> None:
    write(
        tmp_path,
        "site",
        'name = "site"\ntitle = "某区部署"\nextends = "jiangsu"\n\n'
        '[repair.publicity_days]\nvalue = 7\nbasis = "本区规定公示7个工作日"\n',
    )
    site = load_profile("site", (tmp_path,))
    jiangsu = load_profile("jiangsu")
    assert site.extends == "jiangsu"
    assert site.repair.publicity_days.value == 7
    assert site.repair.clean_period == jiangsu.repair.clean_period
    assert site.repair.requires_commitment == jiangsu.repair.requires_commitment
    assert site.objection == jiangsu.objection
    assert site.publicity.local == jiangsu.publicity.local


@pytest.mark.req("PROF-1")
def test_a_setting_is_replaced_whole_so_chosen_does_not_leak(tmp_path: Path) -> None:
    """national marks its repair publicity as an operator choice; a child citing a rule for it is not one."""
    assert load_profile("national").repair.publicity_days.chosen
    assert not load_profile("jiangsu").repair.publicity_days.chosen
    assert load_profile("national").objection.mark_suspends_publicity.chosen
    assert not load_profile("jiangsu").objection.mark_suspends_publicity.chosen
    write(
        tmp_path,
        "site",
        'name = "site"\ntitle = "某区部署"\nextends = "national"\n\n'
        '[timeliness.double_publicity_days]\nvalue = 5\nbasis = "本区规定5个工作日"\n',
    )
    setting = load_profile("site", (tmp_path,)).timeliness.double_publicity_days
    assert (setting.value, setting.basis, setting.chosen) == (5, "本区规定5个工作日", False)


@pytest.mark.req("PROF-1")
def test_a_setting_without_its_value_is_refused(tmp_path: Path) -> None:
    """Changing only the basis would pair the parent's number with the child's citation: refused."""
    path = write(
        tmp_path,
        "site",
        'name = "site"\ntitle = "某区部署"\nextends = "jiangsu"\n\n'
        '[repair.clean_period]\nbasis = "补充说明"\n',
    )
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.invalid"
    assert "repair.clean_period.value" in error.message
    assert str(path) in error.message


@pytest.mark.req("PROF-1")
def test_deployment_file_by_path(tmp_path: Path) -> None:
    path = write(tmp_path, "local", 'name = "local"\ntitle = "本地"\nextends = "ct"\n')
    assert load_profile(str(path)).leniency.minor_age.value == 16


@pytest.mark.req("PROF-1")
def test_objection_deadlines_are_replaced_whole(tmp_path: Path) -> None:
    """A deployment that changes one deadline states its whole procedure; no step of the parent lingers."""
    write(
        tmp_path,
        "site",
        'name = "site"\ntitle = "某区部署"\nextends = "jiangsu"\n\n'
        '[objection.deadlines]\ncheck = { value = 8, basis = "本区规定8个工作日" }\n',
    )
    deadlines = load_profile("site", (tmp_path,)).objection.deadlines
    assert set(deadlines) == {"check"}
    assert deadlines["check"].value == 8


# ---------------------------------------------------------------------------------------- refusals


@pytest.mark.req("PROF-1")
def test_unknown_profile_name() -> None:
    error = refusal("shanghai")
    assert error.code == "profile.unknown"
    assert "shanghai" in error.message
    assert "jiangsu" in error.message


@pytest.mark.req("PROF-1")
def test_unknown_parent(tmp_path: Path) -> None:
    write(tmp_path, "site", 'name = "site"\ntitle = "x"\nextends = "nowhere"\n')
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.unknown"


@pytest.mark.req("PROF-1")
def test_missing_profile_path(tmp_path: Path) -> None:
    error = refusal(str(tmp_path / "absent.toml"))
    assert error.code == "profile.not_found"


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            '[objection.deadlines]\ncheck = { value = "ten", basis = "x" }\n',
            "objection.deadlines.check.value",
        ),
        ('[repair.clean_period]\nvalue = "3 months"\nbasis = "x"\n', "repair.clean_period.value"),
        ('[repair.publicity_days]\nvalue = 5\nbasis = ""\n', "repair.publicity_days.basis"),
        (
            '[publicity.local]\nruns_from = "someday"\n'
            'max = { minor = "P1Y", general = "P1Y", serious = "P1Y" }\nbasis = "x"\n',
            "publicity.local.runs_from",
        ),
    ],
)
def test_malformed_setting_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, "site", f'name = "site"\ntitle = "x"\nextends = "jiangsu"\n\n{body}')
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.invalid"
    assert str(path) in error.message
    assert key in error.message
    assert error.problem.field == key


@pytest.mark.req("PROF-1")
def test_bad_span_message_explains_the_format(tmp_path: Path) -> None:
    write(
        tmp_path,
        "site",
        'name = "site"\ntitle = "x"\nextends = "jiangsu"\n\n'
        '[repair.clean_period]\nvalue = "3 months"\nbasis = "x"\n',
    )
    error = refusal("site", (tmp_path,))
    assert "ISO 8601" in error.message
    assert "3 months" in error.message


@pytest.mark.req("PROF-1")
def test_error_in_a_parent_names_the_parent_file(tmp_path: Path) -> None:
    parent = write(
        tmp_path,
        "parent",
        'name = "parent"\ntitle = "x"\nextends = "national"\n\n'
        '[revocation.platform_apply_days]\nvalue = -1.5\nbasis = "x"\n',
    )
    write(tmp_path, "child", 'name = "child"\ntitle = "y"\nextends = "parent"\n')
    error = refusal("child", (tmp_path,))
    assert error.code == "profile.invalid"
    assert str(parent) in error.message
    assert "revocation.platform_apply_days.value" in error.message


@pytest.mark.req("PROF-1")
def test_toml_syntax_error(tmp_path: Path) -> None:
    body = 'name = "site"\ntitle = "x"\nextends = "jiangsu"\n[repair.publicity_days\nvalue = 5\n'
    path = write(tmp_path, "site", body)
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.syntax"
    assert str(path) in error.message


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[repair.clean_perid]\nvalue = "P1Y"\nbasis = "x"\n', "repair.clean_perid"),
        ('[objection.deadlines]\nchek = { value = 3, basis = "x" }\n', "objection.deadlines.chek"),
        ('[repair.publicity_days]\nvalue = 5\nbasis = "x"\nchosn = true\n', "repair.publicity_days.chosn"),
        ('titel = "x"\n', "titel"),
    ],
)
def test_unknown_key_is_refused(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, "site", f'name = "site"\ntitle = "x"\nextends = "jiangsu"\n{body}')
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.invalid"
    assert key in error.message
    assert str(path) in error.message


@pytest.mark.req("PROF-1")
def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a", 'name = "a"\ntitle = "a"\nextends = "b"\n')
    write(tmp_path, "b", 'name = "b"\ntitle = "b"\nextends = "a"\n')
    error = refusal("a", (tmp_path,))
    assert error.code == "profile.cycle"
    assert "a.toml" in error.message
    assert "b.toml" in error.message


@pytest.mark.req("PROF-1")
def test_extends_never_resolves_to_the_file_itself(tmp_path: Path) -> None:
    write(tmp_path, "self", 'name = "self"\ntitle = "x"\nextends = "self"\n')
    assert refusal("self", (tmp_path,)).code == "profile.unknown"


@pytest.mark.req("PROF-1")
def test_a_deployment_national_extends_the_shipped_national(tmp_path: Path) -> None:
    write(
        tmp_path,
        "national",
        'name = "national"\ntitle = "本地"\nextends = "national"\n'
        '[repair.publicity_days]\nvalue = 3\nbasis = "本地办法"\n',
    )
    profile = load_profile("national", (tmp_path,))
    assert profile.title == "本地" and profile.repair.publicity_days.value == 3
    assert profile.publicity.regimes[-1].effective_from.isoformat() == "2026-04-01"


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize("name", ["../profiles/jiangsu", "/etc/passwd", "", "Jiangsu"])
def test_a_profile_name_is_a_name_not_a_path(name: str) -> None:
    assert refusal(name).code == "profile.unknown"


@pytest.mark.req("PROF-1")
@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[objection.deadlines]\ncheck = { value = -3, basis = "x" }\n', "objection.deadlines.check.value"),
        ('[leniency.minor_age]\nvalue = -5\nbasis = "x"\n', "leniency.minor_age.value"),
        ('[masking.name_keep_start]\nvalue = -1\nbasis = "x"\n', "masking.name_keep_start.value"),
        ('[leniency.minor_age]\nvalue = true\nbasis = "x"\n', "leniency.minor_age.value"),
        (
            '[publicity.local]\nruns_from = "behaviour_end"\nmax = { serious = "P5Y" }\nbasis = "x"\n',
            "publicity.local.max",
        ),
    ],
)
def test_out_of_range_or_incomplete_settings_are_refused(tmp_path: Path, body: str, key: str) -> None:
    write(tmp_path, "site", f'name = "site"\ntitle = "x"\nextends = "jiangsu"\n{body}')
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.invalid" and key in error.message


@pytest.mark.req("PROF-1")
def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_bytes('title = "某市"\n'.encode("gbk"))
    assert refusal("site", (tmp_path,)).code == "profile.syntax"


@pytest.mark.req("PROF-1")
def test_extends_must_be_a_name(tmp_path: Path) -> None:
    write(tmp_path, "site", 'name = "site"\ntitle = "x"\nextends = 3\n')
    error = refusal("site", (tmp_path,))
    assert error.code == "profile.invalid"
