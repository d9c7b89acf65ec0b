"""List entries as people read them: on the portal, on a subject's page, in credit reports and in a
subject's own archive: list types and departments named, statuses and terms in words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.lists.documents import TITLES, documents_of
from xinyong.lists.models import ListEntry
from xinyong.lists.schema import LIST_KIND_LABELS
from xinyong.lists.service import (
    STATUS_LABELS,
    STEP_LABELS,
    ListTypes,
    entries_of,
    marks_of,
    on_display,
    steps_of,
)
from xinyong.subjects.service import ROLE_LABELS


def hearing(entry: ListEntry, today: date) -> str | None:
    """What the subject may say now, if anything: defend against a proposed black listing until the end of
    its defence period (LIST-3), object to a red listing in its publicity (LIST-2)."""
    if entry.status == "noticed" and entry.defence_until is not None and today <= entry.defence_until:
        return f"陈述申辩期至 {entry.defence_until}：可陈述理由、提出申辩或异议，认定单位须逐项答复"
    if entry.status == "publicity" and entry.publicity_until is not None and today <= entry.publicity_until:
        return f"公示期至 {entry.publicity_until}：对列入有异议的，可提出异议"
    return None


def type_name(types: ListTypes, code: str) -> str:
    """A type no longer configured still has entries: they show its code rather than fail."""
    found = types.types.get(code)
    return found.name if found is not None else code


def kind_label(entry: ListEntry) -> str:
    return LIST_KIND_LABELS.get(entry.kind, entry.kind)


def status_text(entry: ListEntry, today: date) -> str:
    """An entry whose term is over says so, though the sweep has not removed it yet (LIST-8)."""
    if entry.status == "active" and not on_display(entry, today):
        return "有效期已届满，停止公示"
    return STATUS_LABELS.get(entry.status, entry.status)


def term_text(entry: ListEntry) -> str:
    return f"至 {entry.term_end}" if entry.term_end else "至移出之日"


def org_names(session: Session, entries: Iterable[ListEntry]) -> dict[str, str]:
    """The determining departments' names for these entries."""
    return {code: access.get_org(session, code).name for code in {e.determining_org for e in entries}}


def own_view(session: Session, subject_key: str, types: ListTypes, today: date) -> dict[str, Any]:
    """A subject's own archive (DIS-6): every entry with its status, each procedure step and the documents
    served; for a person, the listings of its organisations marked in its archive (LIST-6)."""
    entries = entries_of(session, subject_key)
    marks = marks_of(session, subject_key)
    orgs = org_names(session, [*entries, *(e for _, e in marks)])
    served: dict[int, list[tuple[str, str]]] = {}
    for document in documents_of(session, subject_key):
        served.setdefault(document.entry_id, []).append((document.number, TITLES[document.kind]))
    return {
        "list_entries": [
            {
                "entry": e,
                "type": type_name(types, e.list_type),
                "kind": kind_label(e),
                "status": status_text(e, today),
                "org": orgs[e.determining_org],
                "term": term_text(e),
                "steps": [(STEP_LABELS.get(s.step, s.step), s) for s in steps_of(session, e.id)],
                "documents": served.get(e.id, []),
                "hearing": hearing(e, today),
            }
            for e in entries
        ],
        "list_marks": [
            {
                "org": listed.subject_name,
                "type": type_name(types, listed.list_type),
                "number": listed.number,
                "role": ROLE_LABELS.get(mark.role, mark.role),
                "ended_on": mark.ended_on,
            }
            for mark, listed in marks
        ],
    }
