"""Identifier check results as the API and ``xinyong id check --json`` return them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from xinyong.rules.identifiers import SEX_LABELS, Identifier, Sex


class IdentifierOut(BaseModel):
    valid: bool = True
    kind: str
    label: str
    value: str
    birth_date: date | None = None
    sex: Sex | None = None
    sex_label: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, identifier: Identifier) -> IdentifierOut:
        return cls(
            kind=identifier.kind.value,
            label=identifier.label,
            value=identifier.value,
            birth_date=identifier.birth_date,
            sex=identifier.sex,
            sex_label=SEX_LABELS[identifier.sex] if identifier.sex else None,
            region=identifier.region,
        )
