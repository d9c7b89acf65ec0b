"""Mapping the column headers of a department file to the fields of a catalog item (ING-1, ING-3).

A file names its columns as departments export them: the current 双公示 template's Chinese labels, the old
template's codes (``CF_WSH``), and common variants (half-width brackets, ``处罚金额（万元）``, a ``*`` or
``（必填）`` marking a required column). Each :class:`~xinyong.catalog.schema.ItemField` lists the headers it
accepts; a header matches a field when it equals, after :func:`normalise_header`, one of the field's
``headers``, its ``label`` or its ``name``.

How an importer uses it::

    with read_rows(path) as rows:
        header_map = map_headers(item, rows.headers)
        check(header_map)                       # raises file.headers / file.duplicate_columns
        notices = unknown_columns(header_map)   # a warning for the import report, not a refusal
        for row in rows:
            fields = to_fields(header_map, row)
            problems = row_problems(header_map, row)

Two template generations: a file with none of the columns the current template added (fields marked
``template = "current"``, such as 行政相对人类别 or 数据来源单位) is a file in the old template, and those
fields are not required of it (``HeaderMap.optional``); a file with some of them is current and needs all.

Decision: columns that match no field are not fatal when every required field has a column; they are
ignored, and :func:`unknown_columns` gives the warning to show the provider (so that a typo in an optional
column is noticed). Screening those columns for forbidden data (DATA-1, e.g. a 血型 column) is the
importer's job: ``HeaderMap.unknown`` lists them as written in the file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from xinyong.catalog.schema import Item, ItemField
from xinyong.errors import Problem, XinyongError
from xinyong.records.readers import SourceRow

# Required-column markers that templates put around a header, after NFKC (so "（必填）" is "(必填)").
_MARKERS = ("*", "(必填)", "(选填)")
_SHOWN_VARIANTS = 3  # how many alternative headers a "missing column" message suggests


def normalise_header(text: str) -> str:
    """A header as compared: NFKC (full-width → half-width), no whitespace at all, no required marker
    (``*``, ``（必填）``) at either end, Latin case-folded; ``罚款金额（万元）`` equals ``罚款金额(万元)``."""
    result = "".join(unicodedata.normalize("NFKC", text).split())
    changed = True
    while changed:
        changed = False
        for marker in _MARKERS:
            if result.endswith(marker) and len(result) > len(marker):
                result = result[: -len(marker)]
                changed = True
            if result.startswith(marker) and len(result) > len(marker):
                result = result[len(marker) :]
                changed = True
    return result.casefold()


@dataclass(frozen=True)
class HeaderMap:
    """How a file's columns correspond to an item's fields."""

    item: Item
    columns: dict[str, str]
    """File header (as written) → field name, for every column that matches a field."""
    missing: list[ItemField]
    """Required fields of the item that no column matches, in the item's order."""
    unknown: list[str]
    """File headers (as written) that match no field, in file order; blank headers are not listed."""
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    """Field name → the two or more file headers that match it (a header written twice appears twice)."""
    optional: frozenset[str] = frozenset()
    """Required fields this file need not fill: those the current template added, when the file is old."""


def _index(item: Item) -> dict[str, ItemField]:
    """Normalised header → field; a field's own name and label come before other fields' variants."""
    index: dict[str, ItemField] = {}
    for item_field in item.fields:
        index.setdefault(normalise_header(item_field.name), item_field)
        index.setdefault(normalise_header(item_field.label), item_field)
    for item_field in item.fields:
        for header in item_field.headers:
            index.setdefault(normalise_header(header), item_field)
    return index


def ambiguous_headers(item: Item) -> dict[str, list[str]]:
    """Normalised headers that two or more fields of the item accept (a catalog mistake), with the fields."""
    owners: dict[str, set[str]] = {}
    for item_field in item.fields:
        for header in (item_field.name, item_field.label, *item_field.headers):
            owners.setdefault(normalise_header(header), set()).add(item_field.name)
    return {key: sorted(names) for key, names in owners.items() if len(names) > 1}


def map_headers(item: Item, headers: Sequence[str]) -> HeaderMap:
    """Match each file header to a field of ``item``."""
    index = _index(item)
    columns: dict[str, str] = {}
    unknown: list[str] = []
    seen: dict[str, list[str]] = {}
    for header in headers:
        if not header.strip():
            continue
        item_field = index.get(normalise_header(header))
        if item_field is None:
            if header not in unknown:
                unknown.append(header)
            continue
        columns.setdefault(header, item_field.name)
        seen.setdefault(item_field.name, []).append(header)
    added = {f.name for f in item.fields if f.template == "current"}
    optional = frozenset(added) if added and not added & seen.keys() else frozenset()
    missing = [f for f in item.fields if f.required and f.name not in seen and f.name not in optional]
    duplicates = {name: found for name, found in seen.items() if len(found) > 1}
    return HeaderMap(
        item=item, columns=columns, missing=missing, unknown=unknown, duplicates=duplicates, optional=optional
    )


def _quoted(texts: Sequence[str]) -> str:
    return "、".join(f"“{t}”" for t in texts)


def _missing_text(item_field: ItemField) -> str:
    label = normalise_header(item_field.label)
    variants = [h for h in item_field.headers if normalise_header(h) != label][:_SHOWN_VARIANTS]
    return f"{item_field.label}（也可写作 {'、'.join(variants)}）" if variants else item_field.label


def check(header_map: HeaderMap) -> None:
    """Refuse a file whose headers cannot be imported for the item.

    ``file.headers`` when required columns are missing: the message names them by label (with other
    accepted spellings) and lists the unknown columns as written in the file, since an unknown column is
    often the missing one misspelt. ``file.duplicate_columns`` when two columns match one field. Unknown
    columns alone pass: see :func:`unknown_columns`.
    """
    item = header_map.item
    duplicates = "；".join(
        f"{_quoted(found)}都对应“{_label(item, name)}”" for name, found in header_map.duplicates.items()
    )
    if header_map.missing:
        parts = [f"缺少必填列：{'；'.join(_missing_text(f) for f in header_map.missing)}"]
        if header_map.unknown:
            parts.append(f"无法识别的列：{_quoted(header_map.unknown)}")
        if duplicates:
            parts.append(f"重复的列：{duplicates}")
        if not header_map.columns:
            parts.append(f"文件中没有一列属于“{item.name}”，是否选错了目录项或文件？")
        raise XinyongError(
            "file.headers", f"文件的列名与“{item.name}”（{item.code}）不符：{'。'.join(parts)}。"
        )
    if duplicates:
        raise XinyongError(
            "file.duplicate_columns",
            f"文件中有几列对应同一字段，无法确定取哪一列：{duplicates}。请只保留一列。",
        )


def _label(item: Item, name: str) -> str:
    return next((f.label for f in item.fields if f.name == name), name)


def unknown_columns(header_map: HeaderMap) -> list[Problem]:
    """The warning for columns that match no field (``file.unknown_columns``), or nothing."""
    if not header_map.unknown:
        return []
    item = header_map.item
    return [
        Problem(
            code="file.unknown_columns",
            message=f"以下列不属于“{item.name}”，已忽略：{_quoted(header_map.unknown)}",
        )
    ]


def to_fields(header_map: HeaderMap, row: SourceRow) -> dict[str, str]:
    """Field name → value for every field that has a column; the first column wins for a duplicated field."""
    fields: dict[str, str] = {}
    for header, name in header_map.columns.items():
        fields.setdefault(name, row.values.get(header, ""))
    return fields


def row_problems(header_map: HeaderMap, row: SourceRow) -> list[Problem]:
    """The row's reading problems that matter for the item, each ``field`` given as the field name.

    Problems in ignored (unknown) columns are dropped; problems of the whole row (``field`` None) are kept.
    """
    problems: list[Problem] = []
    for problem in row.problems:
        if problem.field is None:
            problems.append(problem)
        elif problem.field in header_map.columns:
            problems.append(
                Problem(
                    code=problem.code,
                    message=problem.message,
                    field=header_map.columns[problem.field],
                    row=problem.row,
                )
            )
    return problems
