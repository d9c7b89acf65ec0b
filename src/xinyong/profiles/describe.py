"""A profile as rows a person can read: setting, value, where it comes from, and whether law fixes it.

Used by ``xinyong profile show`` and the portal's rules page, so both say the same thing. Labels come
from the schema's field descriptions, so a new setting appears here without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from xinyong.profiles.schema import (
    DOMAIN_LABELS,
    MODE_LABELS,
    PERIOD_START_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    STEP_LABELS,
    Profile,
    Publicity,
    Setting,
    Span,
)

SECTIONS = (
    "publicity",
    "objection",
    "revocation",
    "repair",
    "cases",
    "leniency",
    "lists",
    "disclosure",
    "market",
    "masking",
    "timeliness",
    "tips",
)


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    label: str
    value: str
    basis: str
    chosen: bool


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Span):
        return value.label()
    if isinstance(value, list):
        return "、".join(MODE_LABELS.get(str(v), str(v)) for v in value)
    return str(value)


def _periods(section: str, publicity: Publicity) -> list[Row]:
    rows = []
    for regime in publicity.regimes:
        tiers = "；".join(
            SEVERITY_LABELS[s]
            + ("原则上不公示，" if not regime.tiers[s].published else "")
            + f"最短{regime.tiers[s].min.label()}、最长{regime.tiers[s].max.label()}"
            for s in SEVERITIES
        )
        if regime.special_min is not None:
            domains = "、".join(DOMAIN_LABELS[d] for d in regime.special_domains)
            tiers += f"；{domains}领域最短{regime.special_min.label()}"
        rows.append(
            Row(
                section,
                f"publicity.regimes[{regime.effective_from}]",
                f"{regime.effective_from} 起作出的决定（自决定日期起算）",
                tiers,
                regime.basis,
                False,
            )
        )
    local = publicity.local
    if local is not None:
        caps = "；".join(f"{SEVERITY_LABELS[s]}最长{local.max[s].label()}" for s in SEVERITIES)
        rows.append(
            Row(
                section,
                "publicity.local",
                f"本地公示期限（自{PERIOD_START_LABELS[local.runs_from]}起算）",
                caps,
                local.basis,
                False,
            )
        )
    return rows


def _settings(section: str, prefix: str, model: BaseModel) -> list[Row]:
    rows = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        label = info.description or name
        if isinstance(value, Setting):
            rows.append(
                Row(section, f"{prefix}.{name}", label, _text(value.value), value.basis, value.chosen)
            )
        elif isinstance(value, dict):
            for key, setting in value.items():
                rows.append(
                    Row(
                        section,
                        f"{prefix}.{name}.{key}",
                        f"{label}：{STEP_LABELS.get(key, key)}",
                        _text(setting.value),
                        setting.basis,
                        setting.chosen,
                    )
                )
    return rows


def describe(profile: Profile) -> list[Row]:
    rows: list[Row] = []
    for name in SECTIONS:
        section = getattr(profile, name)
        title = Profile.model_fields[name].description or name
        if isinstance(section, Publicity):
            rows += _periods(title, section)
        rows += _settings(title, name, section)
    return rows
