"""Market pages: the subject's consents and self-declarations (``/me/market``), the public registry of
credit service agencies (``/agencies``), the operator's registry management (``/admin/agencies``) and a
provider's authorizations of agencies (``/admin/agency-grants``). Forms that are refused come back with
the reason and what was typed."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.catalog import service as catalog
from xinyong.disclosure import service as disclosure
from xinyong.errors import Forbidden, XinyongError
from xinyong.market import registry, service
from xinyong.market.schema import ConsentOptions, options
from xinyong.rules.dates import parse_date
from xinyong.rules.periods import add_span
from xinyong.subjects import service as subjects
from xinyong.web.forms import act, attempt, download
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
ConsentHolder = Annotated[Gate, Depends(CreditReader("consent.manage"))]
Operator = Annotated[Actor, Depends(Permission("agency.manage"))]
Provider = Annotated[Actor, Depends(Permission("provider_grant.manage"))]
MARKET_ITEMS = (service.MARKET_ITEM, service.DECLARED_ITEM)


def _typed(form: FormData, *names: str) -> dict[str, str]:
    return {name: str(form.get(name, ""))[:4000] for name in names}


def _date(text: str, label: str, field: str) -> Any:
    try:
        return parse_date(text, label)
    except XinyongError as exc:
        raise XinyongError(exc.code, exc.message, field=field) from exc


# ------------------------------------------------------------------------------- the subject's own page


def _own_context(request: Request, session: Session, gate: Gate, form: dict[str, Any]) -> dict[str, Any]:
    """The subject's consents and its market information, the latter read through the gate."""
    key = gate.actor.subject_key
    if key is None:
        raise Forbidden("market.subject_only", "请以信用主体身份登录后管理采集同意和自行申报")
    state = request.app.state
    found = subjects.find(session, key)
    shown = (
        disclosure.visible_records(
            session,
            gate,
            found,
            masking=state.profile.masking,
            marked_shown=disclosure.marked_shown(state.profile),
            now=state.settings.clock.now(),
        )
        if found
        else []
    )
    chosen = options()
    declared = catalog.item_in_force(session, service.DECLARED_ITEM, gate.today).item
    return {
        "active": "me",
        "consents": [(c, json.loads(c.kinds)) for c in service.consents_of(session, key)],
        "records": [s for s in shown if s.item.code in MARKET_ITEMS],
        "kinds": ConsentOptions.labels(chosen.kinds),
        "uses": ConsentOptions.labels(chosen.uses),
        "methods": ConsentOptions.labels(chosen.methods),
        "told": ConsentOptions.labels(chosen.told),
        "recorded_by": service.RECORDED_BY_LABELS,
        "collectors": {
            o.code: o.name for o in access.list_orgs(session) if o.kind in service.COLLECTOR_KINDS
        },
        "declared_kinds": next(f.choices for f in declared.fields if f.name == "kind"),
        "consent_until": add_span(gate.today, state.profile.market.consent_max.value),
        "responsibility": service.RESPONSIBILITY,
        "today": gate.today,
        "form": form,
    }


def _own_page(
    request: Request, session: Session, gate: Gate, form: dict[str, Any], problem: XinyongError | None = None
) -> Response:
    context = _own_context(request, session, gate, form)
    if problem is not None:
        context["problem"] = problem.problem
    return render(request, "market_me.html", context, problem.status if problem else 200)


@router.get("/me/market", response_class=HTMLResponse)
def own_page(request: Request, session: DB, gate: ConsentHolder) -> Response:
    return _own_page(request, session, gate, {})


@router.post("/me/market/consents")
def give_consent(request: Request, session: DB, form: Form, gate: ConsentHolder) -> Response:
    """The subject gives a consent online: it is the one who consents, so no document is needed."""
    typed = _typed(form, "collector", "method", "use", "valid_until")
    kinds, told = form.getlist("kinds"), form.getlist("told")
    state = request.app.state

    def give() -> object:
        return service.give(
            session,
            subject_key=gate.actor.subject_key or "",
            form=service.ConsentForm(
                collector=typed["collector"][:64],
                kinds=[str(k)[:32] for k in kinds][:20],
                method=typed["method"][:32],
                use=typed["use"][:32],
                told=[str(t)[:32] for t in told][:20],
                valid_until=_date(typed["valid_until"], "截止日期", "valid_until"),
                service_conditional=form.get("service_conditional") == "yes",
            ),
            document=None,
            data_dir=state.settings.data_dir.resolve(),
            profile=state.profile,
            actor=audit_actor(gate.actor),
            now=state.settings.clock.now(),
            today=gate.today,
        )

    outcome = attempt(session, give)
    if isinstance(outcome, XinyongError):
        return _own_page(request, session, gate, {**typed, "kinds": kinds, "told": told}, outcome)
    return RedirectResponse("/me/market#consents", status_code=303)


@router.post("/me/market/consents/{number}/revoke")
def revoke_consent(request: Request, session: DB, number: str, form: Form, gate: ConsentHolder) -> Response:
    return act(
        session,
        lambda: service.revoke(
            session,
            subject_key=gate.actor.subject_key or "",
            number=number,
            actor=audit_actor(gate.actor),
            now=request.app.state.settings.clock.now(),
        ),
        done="/me/market#consents",
        refused=lambda exc: _own_page(request, session, gate, {}, exc),
    )


@router.get("/me/market/consents/{number}/document", response_model=None)
def consent_document(request: Request, session: DB, number: str, gate: ConsentHolder) -> Response:
    row, content = service.consent_document(
        session,
        request.app.state.settings.data_dir.resolve(),
        subject_key=gate.actor.subject_key or "",
        number=number,
    )
    return download(
        content, media_type=row.document_type or "application/pdf", filename=row.document_name or "同意书"
    )


@router.post("/me/market/declarations")
def declare(
    request: Request,
    session: DB,
    form: Form,
    gate: Annotated[Gate, Depends(CreditReader("market.declare"))],
) -> Response:
    """A self-declaration goes in through the records path, in its own transaction (MKT-2)."""
    typed = _typed(form, "kind", "content", "occurred_on", "issuer")
    key = gate.actor.subject_key
    if key is None:
        raise Forbidden("market.subject_only", "请以信用主体身份登录后自行申报")
    found = subjects.find(session, key)
    name = found.name if found else gate.actor.label
    state = request.app.state
    session.rollback()  # the declaration is written by the records path: this request holds nothing open
    try:
        service.declare(
            state.sessions,
            subject_key=key,
            subject_name=name,
            declaration=service.Declaration(
                kind=typed["kind"],
                content=typed["content"],
                occurred_on=typed["occurred_on"],
                issuer=typed["issuer"],
                responsible=form.get("responsible") == "yes",
            ),
            actor=audit_actor(gate.actor),
            profile=state.profile,
            clock=state.settings.clock,
        )
    except XinyongError as exc:
        return _own_page(request, session, gate, {"declaration": typed}, exc)
    return RedirectResponse("/me/market#declarations", status_code=303)


# ---------------------------------------------------------------------------------- the public registry


@router.get("/agencies", response_class=HTMLResponse)
def registry_page(request: Request, session: DB) -> Response:
    """Which credit service agencies are registered, and whether they may be given anything (MKT-3)."""
    return render(request, "agencies.html", {"active": "home", "agencies": registry.listed(session)})


# ------------------------------------------------------------------------------------ operator's registry


def _admin_page(
    request: Request, session: Session, actor: Actor, problem: XinyongError | None = None
) -> Response:
    registered = {f.agency.org_code for f in registry.listed(session)}
    context = {
        "active": "admin",
        "agencies": registry.listed(session),
        "unregistered": [
            (o.code, o.name)
            for o in access.list_orgs(session)
            if o.kind == "agency" and o.code not in registered
        ],
        "statuses": registry.STATUS_LABELS,
        "today": request.app.state.settings.clock.today(),
        "problem": problem.problem if problem else None,
    }
    return render(request, "agency_admin.html", context, problem.status if problem else 200)


@router.get("/admin/agencies", response_class=HTMLResponse)
def admin_page(request: Request, session: DB, actor: Operator) -> Response:
    return _admin_page(request, session, actor)


@router.post("/admin/agencies")
def register(request: Request, session: DB, form: Form, actor: Operator) -> Response:
    typed = _typed(form, "org", "filing_number", "registered_on", "business_scope", "commitment")
    clock = request.app.state.settings.clock
    return act(
        session,
        lambda: registry.register(
            session,
            org_code=typed["org"][:64],
            filing_number=typed["filing_number"],
            registered_on=_date(typed["registered_on"], "登记备案日期", "registered_on"),
            business_scope=typed["business_scope"],
            commitment=typed["commitment"],
            actor=audit_actor(actor),
            now=clock.now(),
            today=clock.today(),
        ),
        done="/admin/agencies",
        refused=lambda exc: _admin_page(request, session, actor, exc),
    )


@router.post("/admin/agencies/{code}/status")
def change_status(request: Request, session: DB, code: str, form: Form, actor: Operator) -> Response:
    typed = _typed(form, "status", "reason")
    clock = request.app.state.settings.clock
    return act(
        session,
        lambda: registry.set_status(
            session,
            org_code=code,
            status=typed["status"][:16],
            reason=typed["reason"],
            actor=audit_actor(actor),
            now=clock.now(),
            today=clock.today(),
        ),
        done="/admin/agencies",
        refused=lambda exc: _admin_page(request, session, actor, exc),
    )


# -------------------------------------------------------------------------- a provider's authorizations


def _grants_page(
    request: Request, session: Session, actor: Actor, problem: XinyongError | None = None
) -> Response:
    if actor.org_code is None:
        raise Forbidden("market.org_only", "只有机构账号可以授权信用服务机构")
    state = request.app.state
    today = state.settings.clock.today()
    context = {
        "active": "me",
        "grants": [(g, json.loads(g.items)) for g in registry.grants_by(session, actor.org_code)],
        "agencies": [f for f in registry.listed(session) if f.agency.status != "cancelled"],
        "items": registry.grantable_items(session, access.get_org(session, actor.org_code), today),
        "names": {f.agency.org_code: f.name for f in registry.listed(session)},
        "grant_until": add_span(today, state.profile.market.provider_grant_max.value),
        "today": today,
        "problem": problem.problem if problem else None,
    }
    return render(request, "agency_grants.html", context, problem.status if problem else 200)


@router.get("/admin/agency-grants", response_class=HTMLResponse)
def grants_page(request: Request, session: DB, actor: Provider) -> Response:
    return _grants_page(request, session, actor)


@router.post("/admin/agency-grants")
def grant(request: Request, session: DB, form: Form, actor: Provider) -> Response:
    typed = _typed(form, "agency", "valid_until")
    state = request.app.state
    return act(
        session,
        lambda: registry.grant(
            session,
            provider=actor.org_code or "",
            agency=typed["agency"][:64],
            items=[str(i)[:64] for i in form.getlist("items")][:50],
            valid_until=_date(typed["valid_until"], "截止日期", "valid_until"),
            profile=state.profile,
            actor=audit_actor(actor),
            now=state.settings.clock.now(),
            today=state.settings.clock.today(),
        ),
        done="/admin/agency-grants",
        refused=lambda exc: _grants_page(request, session, actor, exc),
    )


@router.post("/admin/agency-grants/{number}/revoke")
def revoke_grant(request: Request, session: DB, number: str, form: Form, actor: Provider) -> Response:
    return act(
        session,
        lambda: registry.revoke_grant(
            session,
            provider=actor.org_code or "",
            number=number,
            actor=audit_actor(actor),
            now=request.app.state.settings.clock.now(),
        ),
        done="/admin/agency-grants",
        refused=lambda exc: _grants_page(request, session, actor, exc),
    )
