"""Government integrity pages: the operator's archives of bodies and civil servants, commitments and contracts
with their fulfilment, regions with debt warnings and the evaluation (``/admin/government``); and the public
page of the regional evaluation, the debt warnings and the commitments the government has published
(``/government``: JS-G 二(四), 三(一), 三(五), 四(三))."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.errors import NotFound, XinyongError
from xinyong.government import contracts, evaluation, service
from xinyong.government.schema import (
    APPRAISAL_GRADES,
    BODY_DIMENSIONS,
    COMMITMENT_KINDS,
    SERVANT_DIMENSIONS,
    EvaluationFile,
)
from xinyong.rules.dates import parse_date, parse_int
from xinyong.web.forms import act
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Actor, Depends(Permission("government.manage"))]
ManagerGate = Annotated[Gate, Depends(CreditReader("government.manage"))]
Anyone = Annotated[Actor, Depends(Permission("public.read"))]
PURPOSE = "government_integrity"
OBLIGATION_ROWS = 3  # blank obligation rows the new-commitment form offers


def _field(form: FormData, name: str, limit: int = 2000) -> str:
    return str(form.get(name, ""))[:limit]


def _optional_int(form: FormData, name: str, label: str) -> int | None:
    value = _field(form, name, 12).strip()
    return parse_int(value, label) if value else None


def _now(request: Request) -> Any:
    return request.app.state.settings.clock.now()


def _rules(request: Request) -> EvaluationFile:
    return evaluation.rules(request.app.state.settings.data_dir.resolve())


# ---------------------------------------------------------------------------------------------- index
def _index(request: Request, session: Session, refused: XinyongError | None = None) -> HTMLResponse:
    return render(
        request,
        "government_admin.html",
        {
            "active": "admin",
            "bodies": service.bodies(session),
            "servants": service.servants(session),
            "regions": evaluation.regions(session),
            "purpose": PURPOSE,
            "problem": refused.problem if refused else None,
        },
        refused.status if refused else 200,
    )


@router.get("/admin/government", response_class=HTMLResponse)
def index_page(request: Request, session: DB, actor: Manager) -> HTMLResponse:
    return _index(request, session)


def _index_form(request: Request, session: Session, action: Callable[[], object]) -> Response:
    return act(session, action, done="/admin/government", refused=lambda exc: _index(request, session, exc))


@router.post("/admin/government/bodies", response_model=None)
def body_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    return _index_form(
        request,
        session,
        lambda: service.register_body(
            session,
            code=_field(form, "code", 32),
            name=_field(form, "name", 200),
            region_code=_field(form, "region", 12),
            actor=audit_actor(actor),
            now=_now(request),
        ),
    )


@router.post("/admin/government/servants", response_model=None)
def servant_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    return _index_form(
        request,
        session,
        lambda: service.register_servant(
            session,
            code=_field(form, "code", 32),
            name=_field(form, "name", 100),
            body_code=_field(form, "body", 32),
            post=_field(form, "post", 100),
            actor=audit_actor(actor),
            now=_now(request),
        ),
    )


# ------------------------------------------------------------------------------------------- archives
def _archive_page(
    request: Request,
    session: Session,
    gate: Gate,
    code: str,
    refused: XinyongError | None = None,
    form: FormData | None = None,
) -> HTMLResponse:
    """A body's or civil servant's archive for the operator; a civil servant's is read under the gate with
    the archive-management purpose, and the read is logged."""
    found = service.archive(session, code)
    state = request.app.state
    dishonesty = service.read_dishonesty(
        session, gate, found, profile=state.profile, now=state.settings.clock.now()
    )
    key = found.subject.key
    return render(
        request,
        "government_archive.html",
        {
            "active": "admin",
            "archive": found,
            "entries": service.entries(session, key),
            "versions": service.versions(session, key),
            "dimensions": BODY_DIMENSIONS if found.holder == "body" else SERVANT_DIMENSIONS,
            "grades": APPRAISAL_GRADES,
            "records": dishonesty,
            "exemptions": service.exemptions(session, key),
            "servants": service.servants(session, body_key=key) if found.holder == "body" else [],
            "commitments": contracts.commitments(session, body_key=key) if found.holder == "body" else [],
            "statuses": contracts.COMMITMENT_STATUS_LABELS,
            "purpose": PURPOSE,
            "today": state.settings.clock.today(),
            "problem": refused.problem if refused else None,
            "form": {k: str(v)[:2000] for k, v in (form or {}).items() if k != "csrf_token"},
        },
        refused.status if refused else 200,
    )


@router.get("/admin/government/archives/{code}", response_class=HTMLResponse)
def archive_page(request: Request, session: DB, code: str, gate: ManagerGate) -> HTMLResponse:
    return _archive_page(request, session, gate, code[:32])


def _entry(form: FormData) -> service.EntryIn:
    return service.EntryIn(
        dimension=_field(form, "dimension", 32),
        title=_field(form, "title", 200),
        content=_field(form, "content"),
        recorded_on=parse_date(_field(form, "recorded_on", 10), "recorded_on"),
        department=_field(form, "department", 200),
        score=_optional_int(form, "score", "测评得分"),
        year=_optional_int(form, "year", "年度"),
        grade=_field(form, "grade", 16) or None,
        document_number=_field(form, "document_number", 128),
    )


@router.post("/admin/government/archives/{code}/entries", response_model=None)
def entry_form(request: Request, session: DB, form: Form, code: str, gate: ManagerGate) -> Response:
    clock = request.app.state.settings.clock
    return act(
        session,
        lambda: service.add_entry(
            session,
            code=code[:32],
            entry=_entry(form),
            actor=audit_actor(gate.actor),
            now=clock.now(),
            today=clock.today(),
        ),
        done=f"/admin/government/archives/{code[:32]}?purpose={PURPOSE}",
        refused=lambda exc: _archive_page(request, session, gate, code[:32], exc, form),
    )


# ---------------------------------------------------------------------------------------- commitments
def _commitments(request: Request, session: Session, refused: XinyongError | None = None) -> HTMLResponse:
    found = contracts.commitments(session)
    return render(
        request,
        "government_commitments.html",
        {
            "active": "admin",
            "commitments": found,
            "obligations": contracts.obligations_of(session, [c.id for c in found]),
            "bodies": {b.subject_key: b.name for b in service.bodies(session)},
            "kinds": COMMITMENT_KINDS,
            "statuses": contracts.COMMITMENT_STATUS_LABELS,
            "rows": range(1, OBLIGATION_ROWS + 1),
            "problem": refused.problem if refused else None,
        },
        refused.status if refused else 200,
    )


@router.get("/admin/government/commitments", response_class=HTMLResponse)
def commitments_page(request: Request, session: DB, actor: Manager) -> HTMLResponse:
    return _commitments(request, session)


def _new_commitment(form: FormData) -> contracts.CommitmentIn:
    duties = [
        contracts.ObligationIn(
            _field(form, f"obligation_{row}", 500),
            parse_date(_field(form, f"due_on_{row}", 10), f"due_on_{row}"),
        )
        for row in range(1, OBLIGATION_ROWS + 1)
        if _field(form, f"obligation_{row}", 500).strip() or _field(form, f"due_on_{row}", 10).strip()
    ]
    return contracts.CommitmentIn(
        body=_field(form, "body", 32),
        kind=_field(form, "kind", 16),
        title=_field(form, "title", 200),
        counterparty_name=_field(form, "counterparty_name", 200),
        counterparty_code=_field(form, "counterparty_code", 32),
        content=_field(form, "content"),
        amount=_field(form, "amount", 32),
        signed_on=parse_date(_field(form, "signed_on", 10), "signed_on"),
        published=form.get("published") == "on",
        obligations=duties,
    )


@router.post("/admin/government/commitments", response_model=None)
def commitment_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    return act(
        session,
        lambda: contracts.record(
            session, commitment=_new_commitment(form), actor=audit_actor(actor), now=_now(request)
        ),
        done="/admin/government/commitments",
        refused=lambda exc: _commitments(request, session, exc),
    )


def _commitment(
    request: Request, session: Session, number: str, refused: XinyongError | None = None
) -> HTMLResponse:
    found = contracts.get(session, number)
    return render(
        request,
        "government_commitment.html",
        {
            "active": "admin",
            "commitment": found,
            "body": service.body(session, found.subject_key),
            "obligations": contracts.obligations_of(session, [found.id]).get(found.id, []),
            "changes": contracts.changes_of(session, found.id),
            "kinds": COMMITMENT_KINDS,
            "statuses": contracts.STATUS_LABELS,
            "commitment_statuses": contracts.COMMITMENT_STATUS_LABELS,
            "change_kinds": contracts.CHANGE_KINDS,
            "open": (*contracts.OPEN, "overdue"),
            "today": request.app.state.settings.clock.today(),
            "problem": refused.problem if refused else None,
        },
        refused.status if refused else 200,
    )


@router.get("/admin/government/commitments/{number}", response_class=HTMLResponse)
def commitment_page(request: Request, session: DB, number: str, actor: Manager) -> HTMLResponse:
    return _commitment(request, session, number[:32])


@router.post("/admin/government/commitments/{number}/fulfilment", response_model=None)
def fulfil_form(request: Request, session: DB, form: Form, number: str, actor: Manager) -> Response:
    found = contracts.get(session, number[:32])

    def fulfil() -> None:
        obligation = parse_int(_field(form, "obligation", 12), "obligation")
        if all(d.id != obligation for d in contracts.obligations_of(session, [found.id]).get(found.id, [])):
            raise NotFound("government.obligation_not_found", "该承诺或合同没有这项义务")
        day = parse_date(_field(form, "fulfilled_on", 10), "fulfilled_on")
        contracts.fulfil(
            session, obligation_id=obligation, fulfilled_on=day, actor=audit_actor(actor), now=_now(request)
        )

    return act(
        session,
        fulfil,
        done=f"/admin/government/commitments/{found.number}",
        refused=lambda exc: _commitment(request, session, found.number, exc),
    )


@router.post("/admin/government/commitments/{number}/changes", response_model=None)
def change_form(request: Request, session: DB, form: Form, number: str, actor: Manager) -> Response:
    found = contracts.get(session, number[:32])

    def change() -> None:
        due, decided = _field(form, "new_due_on", 10).strip(), _field(form, "decided_on", 10).strip()
        compensated = {"yes": True, "no": False}.get(_field(form, "compensated", 3))
        requested = contracts.ChangeIn(
            kind=_field(form, "kind", 16),
            reason=_field(form, "reason"),
            legal_basis=_field(form, "legal_basis", 500),
            document_number=_field(form, "document_number", 128),
            approved_by=_field(form, "approved_by", 200),
            decided_on=parse_date(decided, "decided_on") if decided else None,
            compensated=compensated,
            compensation=_field(form, "compensation"),
            obligation_id=_optional_int(form, "obligation", "义务编号"),
            new_due_on=parse_date(due, "new_due_on") if due else None,
        )
        contracts.change(
            session, number=found.number, change=requested, actor=audit_actor(actor), now=_now(request)
        )

    return act(
        session,
        change,
        done=f"/admin/government/commitments/{found.number}",
        refused=lambda exc: _commitment(request, session, found.number, exc),
    )


# ------------------------------------------------------------------------------------ regions and debt
def _regions(request: Request, session: Session, refused: XinyongError | None = None) -> HTMLResponse:
    file = _rules(request)
    run, results = evaluation.latest(session, file)
    return render(
        request,
        "government_regions.html",
        {
            "active": "admin",
            "regions": evaluation.regions(session),
            "warnings": evaluation.warnings(session, file.debt),
            "run": run,
            "results": results,
            "file": file,
            "today": request.app.state.settings.clock.today(),
            "problem": refused.problem if refused else None,
        },
        refused.status if refused else 200,
    )


@router.get("/admin/government/regions", response_class=HTMLResponse)
def regions_page(request: Request, session: DB, actor: Manager) -> HTMLResponse:
    return _regions(request, session)


def _regions_form(request: Request, session: Session, action: Callable[[], object]) -> Response:
    return act(
        session, action, done="/admin/government/regions", refused=lambda exc: _regions(request, session, exc)
    )


@router.post("/admin/government/regions", response_model=None)
def region_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    return _regions_form(
        request,
        session,
        lambda: evaluation.add_region(
            session,
            code=_field(form, "code", 12),
            name=_field(form, "name", 100),
            actor=audit_actor(actor),
            now=_now(request),
        ),
    )


@router.post("/admin/government/debt", response_model=None)
def debt_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    return _regions_form(
        request,
        session,
        lambda: evaluation.set_debt(
            session,
            region_code=_field(form, "region", 12),
            year=parse_int(_field(form, "year", 6), "年度"),
            debt_balance=_field(form, "debt_balance", 32),
            fiscal_capacity=_field(form, "fiscal_capacity", 32),
            source=_field(form, "source", 200),
            actor=audit_actor(actor),
            now=_now(request),
        ),
    )


@router.post("/admin/government/evaluations", response_model=None)
def evaluate_form(request: Request, session: DB, form: Form, actor: Manager) -> Response:
    clock = request.app.state.settings.clock
    return _regions_form(
        request,
        session,
        lambda: evaluation.evaluate(
            session, file=_rules(request), as_of=clock.today(), actor=audit_actor(actor), now=clock.now()
        ),
    )


# ------------------------------------------------------------------------------------------- public
@router.get("/government", response_class=HTMLResponse)
def public_page(request: Request, session: DB, actor: Anyone) -> HTMLResponse:
    """What the regulation has the government publish: the regional evaluation and debt warnings, and the
    commitments and contracts published with their fulfilment, persons masked."""
    file = _rules(request)
    run, results = evaluation.latest(session, file)
    published = contracts.commitments(session, published=True)
    masking = request.app.state.profile.masking
    return render(
        request,
        "government_public.html",
        {
            "active": "government",
            "run": run,
            "results": results,
            "warnings": evaluation.warnings(session, file.debt),
            "file": file,
            "commitments": published,
            "counterparties": {c.id: contracts.counterparty(session, c, masking) for c in published},
            "obligations": contracts.obligations_of(session, [c.id for c in published]),
            "bodies": {b.subject_key: b.name for b in service.bodies(session)},
            "kinds": COMMITMENT_KINDS,
            "statuses": contracts.STATUS_LABELS,
            "commitment_statuses": contracts.COMMITMENT_STATUS_LABELS,
        },
    )
