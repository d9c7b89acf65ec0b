"""The portal's list page, public and without login: the red list and the black list as long as each entry
is valid (LIST-8), and the removal announcements where the listings were published (LIST-7). Persons are
masked as everywhere on the portal (DATA-3). The subject also downloads here the documents served on it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate, Info
from xinyong.disclosure.service import is_person, shown_key, shown_name
from xinyong.errors import Forbidden
from xinyong.lists import documents, service
from xinyong.lists.api import context
from xinyong.lists.models import ListEntry
from xinyong.lists.service import REMOVAL_LABELS, ListTypes
from xinyong.lists.shown import org_names, term_text, type_name
from xinyong.profiles.schema import Masking
from xinyong.rules.masking import mask_name
from xinyong.subjects import service as subjects
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
TABS = {"black": "严重失信主体名单", "red": "红名单", "removed": "移出公告"}


def _who(session: Session, entry: ListEntry, masking: Masking) -> dict[str, str | None]:
    """Name, code and link as the public may see them. An entry received without a key (a court's list
    with the identity number masked) shows that number as received and the name masked like a person's."""
    subject = subjects.find(session, entry.subject_key) if entry.subject_key is not None else None
    if subject is None:  # no archive to tell an organisation from a person: shown as cautiously as a person
        return {
            "name": mask_name(entry.subject_name, masking.name_keep_start.value),
            "code": entry.masked_id or "—",
            "href": None,
        }
    person = is_person(subject)
    return {
        "name": shown_name(subject, masking),
        "code": shown_key(subject, masking),
        "href": None if person else f"/subjects/{subject.key}",  # a person's link would show its number
    }


def _rows(
    session: Session, entries: list[ListEntry], types: ListTypes, masking: Masking
) -> list[dict[str, Any]]:
    orgs = org_names(session, entries)
    rows = []
    for entry in entries:
        found = types.types.get(entry.list_type)
        rows.append(
            {
                **_who(session, entry, masking),
                "number": entry.number,
                "type": type_name(types, entry.list_type),
                "org": orgs[entry.determining_org],
                "entered_on": entry.entered_on,
                "term": term_text(entry),
                "basis": found.legal_basis if found is not None else "",
                "corrected": entry.wrongful,
                "reason": "更正"
                if entry.wrongful
                else REMOVAL_LABELS.get(entry.removal_reason or "", "移出"),
                "removed_on": entry.removed_on,
            }
        )
    return rows


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request,
    session: DB,
    tab: Annotated[str, Query(max_length=16)] = "black",
    page: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> HTMLResponse:
    state = request.app.state
    today = state.settings.clock.today()
    chosen = tab if tab in TABS else "black"
    number = page or 1
    found: dict[str, tuple[int, list[ListEntry]]] = {}
    for key in TABS:  # every tab's count; the rows of the chosen one only
        offset, limit = ((number - 1) * PAGE_SIZE, PAGE_SIZE) if key == chosen else (0, 0)
        found[key] = (
            service.removals(session, offset=offset, limit=limit)
            if key == "removed"
            else service.published(session, kind=key, today=today, offset=offset, limit=limit)
        )
    counts = {key: total for key, (total, _) in found.items()}
    entries = found[chosen][1]
    types = service.list_types(state.settings.data_dir.resolve())
    return render(
        request,
        "lists.html",
        {
            "active": "lists",
            "tabs": [(key, label, counts[key]) for key, label in TABS.items()],
            "chosen": chosen,
            "label": TABS[chosen],
            "rows": _rows(session, entries, types, state.profile.masking),
            "page": number,
            "pages": max(1, (counts[chosen] + PAGE_SIZE - 1) // PAGE_SIZE),
            "today": today,
        },
    )


@router.get("/me/lists/documents/{number}", response_model=None)
def document_pdf(
    request: Request,
    session: DB,
    number: str,
    gate: Annotated[Gate, Depends(CreditReader("self.read"))],
) -> Response:
    """A document served on the subject, for the subject itself (its own archive links here)."""
    found = documents.get(session, number[:32])
    gate.check(
        Info(subject_key=found.subject_key or "", grade="subject_only", item="list-document"),
        action="archive.read",
        target_type="list_document",
        target_id=found.number,
    )
    name = f"{documents.TITLES[found.kind]}-{found.number}.pdf"
    return Response(
        documents.stored_pdf(request.app.state.settings.data_dir, found),
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/me/lists/{number}/statement")
def statement_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("list.respond"))],
) -> Response:
    """The subject is heard from its own page: a statement or objection in the defence period of a black
    listing (LIST-3) or in the publicity of a red one (LIST-2); the determining department must answer it."""
    if actor.subject_key is None:
        raise Forbidden("list.subject_only", "只有信用主体本人可以陈述申辩或提出异议")
    ctx = context(request, actor)
    service.state_case(
        session,
        ctx,
        number=number[:32],
        subject_key=actor.subject_key,
        text=str(form.get("text", ""))[:4000],
        objection=form.get("objection") == "yes",
    )
    return RedirectResponse("/me#lists", status_code=303)
