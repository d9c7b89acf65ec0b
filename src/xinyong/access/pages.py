"""Portal pages for signing in and out, a subject's own page, and the operator's administration.

Handlers are plain functions (FastAPI runs them in its thread pool) because password hashing and the
database would otherwise stall every other request. Each form POST depends on :func:`checked_form`, which
refuses a missing or forged CSRF token, and on the permission it needs.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from xinyong.access import ratelimit, security, service
from xinyong.access.actors import Actor, actor_of
from xinyong.access.api import TokenId
from xinyong.access.csrf import Form, set_cookie
from xinyong.access.deps import (
    DB,
    SESSION_COOKIE,
    CreditReader,
    Permission,
    client_address,
    now,
    request_id,
    security_log,
)
from xinyong.access.gate import Gate, Info
from xinyong.access.models import Account
from xinyong.access.policy import ORG_KIND_LABELS, Policy
from xinyong.audit import service as audit
from xinyong.audit.anchors import ANCHOR_FILE, check_anchors, read_anchors, verify_and_anchor
from xinyong.clock import CHINA_TZ
from xinyong.disclosure.pages import own_archive
from xinyong.errors import Unauthenticated, XinyongError
from xinyong.evaluation import service as evaluation
from xinyong.repair import service as repair
from xinyong.rules.dates import parse_date
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)

LOGIN_FAILED = Unauthenticated("auth.invalid_credentials", "用户名或密码错误")


def _field(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def _safe_next(target: str) -> str:
    """Only a path on this site: never send a signed-in user elsewhere."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else ""


def _limiter(request: Request) -> ratelimit.Limiter:
    limiter: ratelimit.Limiter = request.app.state.limiter
    return limiter


def _signed_in(request: Request, session: Session, account: Account, target: str) -> RedirectResponse:
    policy: Policy = request.app.state.policy
    token = service.start_session(
        session, key=request.app.state.secret_key, policy=policy, account=account, now=now(request)
    )
    session.commit()
    default = "/admin" if "org.read" in actor_of(account, policy).permissions else "/me"
    response = RedirectResponse(_safe_next(target) or default, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(security.SESSION_LIFETIME.total_seconds()))
    return response


# ------------------------------------------------------------------------------------ sign in and out


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "login.html", {"active": "login", "next": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: DB, form: Form) -> Response:
    username, target = _field(form, "username")[:64], _field(form, "next")
    password = str(form.get("password", ""))
    address = client_address(request)
    context = {"active": "login", "next": _safe_next(target), "username": username}
    limiter = _limiter(request)
    try:  # failures are limited per address (spraying many names) and per name (many addresses)
        limiter.ensure(ratelimit.LOGIN_FAILURES_PER_ADDRESS, "login-address", address)
        limiter.ensure(ratelimit.LOGIN_FAILURES_PER_ACCOUNT, "login-account", username)
    except XinyongError as exc:
        return render(request, "login.html", {**context, "problem": exc.problem}, exc.status)
    account = service.authenticate(session, username=username, password=password)
    if account is None:
        limiter.count(ratelimit.LOGIN_FAILURES_PER_ADDRESS, "login-address", address)
        limiter.count(ratelimit.LOGIN_FAILURES_PER_ACCOUNT, "login-account", username)
        security_log.warning("login failed from %s", address)
        service.record_login_failure(
            session, now=now(request), username=username, address=address, request_id=request_id(request)
        )
        session.commit()
        return render(request, "login.html", {**context, "problem": LOGIN_FAILED.problem}, 401)
    return _signed_in(request, session, account, target)


@router.post("/logout")
def logout(request: Request, session: DB, form: Form) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(
            session,
            key=request.app.state.secret_key,
            policy=request.app.state.policy,
            token=token,
            now=now(request),
        )
        session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------------------------ subjects sign in


def _identity_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {"active": "me", "verifier": request.app.state.verifier.label, **extra}


@router.get("/me/login", response_class=HTMLResponse)
def subject_login_page(request: Request) -> HTMLResponse:
    return render(request, "me_login.html", _identity_context(request))


@router.post("/me/login", response_class=HTMLResponse)
def subject_login_start(request: Request, session: DB, form: Form) -> HTMLResponse:
    code, name = _field(form, "code")[:64], _field(form, "name")[:200]
    context = _identity_context(request, code=code, name=name)
    try:
        _limiter(request).take(ratelimit.IDENTITY_STARTS, "identity", client_address(request))
        challenge = service.start_identity_check(
            session,
            key=request.app.state.secret_key,
            verifier=request.app.state.verifier,
            now=now(request),
            code=code,
            name=name,
        )
    except XinyongError as exc:
        return render(request, "me_login.html", {**context, "problem": exc.problem}, exc.status)
    session.commit()
    return render(request, "me_login.html", {**context, "challenge": challenge})


@router.post("/me/login/verify", response_class=HTMLResponse)
def subject_login_finish(request: Request, session: DB, form: Form) -> Response:
    challenge = _field(form, "challenge")[:32]
    address = client_address(request)
    limiter = _limiter(request)
    try:
        limiter.ensure(ratelimit.IDENTITY_FAILURES, "identity-verify", address)
    except XinyongError as exc:
        context = _identity_context(request, challenge=challenge, problem=exc.problem)
        return render(request, "me_login.html", context, exc.status)
    account = service.finish_identity_check(
        session,
        key=request.app.state.secret_key,
        policy=request.app.state.policy,
        now=now(request),
        challenge_id=challenge,
        code=_field(form, "one_time_code"),
    )
    session.commit()  # the attempt counts even when it failed
    if account is None:
        limiter.count(ratelimit.IDENTITY_FAILURES, "identity-verify", address)
        problem = Unauthenticated(*service.IDENTITY_FAILED).problem
        return render(
            request, "me_login.html", _identity_context(request, challenge=challenge, problem=problem), 401
        )
    return _signed_in(request, session, account, "/me")


# ------------------------------------------------------------------------------------------ own page


@router.get("/me", response_class=HTMLResponse)
def me_page(
    request: Request, session: DB, gate: Annotated[Gate, Depends(CreditReader("public.read"))]
) -> HTMLResponse:
    actor = gate.actor
    policy: Policy = request.app.state.policy
    context: dict[str, Any] = {
        "active": "me",
        "actor": actor,
        "role_labels": [policy.roles[r].label for r in sorted(actor.roles) if r != "public"],
        "action_labels": audit.ACTION_LABELS,
        "purpose_labels": {code: p.label for code, p in policy.purposes.items()},
    }
    if actor.subject_key is not None:
        gate.check(
            Info(subject_key=actor.subject_key, grade="subject_only", item="access-log"),
            action="access_log.read",
        )
        context["access_log"] = audit.access_log(session, subject_key=actor.subject_key, limit=50)
        context.update(own_archive(request, session, gate))
        own = [s.record for s, _ in context["records"]]
        context["repairable"] = repair.repairable(session, own, gate.today)
        context["repair_cases"] = repair.cases_of(session, actor.subject_key)
        context["repair_statuses"] = repair.STATUS_LABELS
        context["interviews"] = repair.interviews_of(session, subject_key=actor.subject_key)
        context["interview_kinds"] = repair.INTERVIEW_KINDS
        context["own_grade"] = evaluation.own_grade(
            session, gate, data_dir=request.app.state.settings.data_dir.resolve()
        )
    return render(request, "me.html", context)


# ---------------------------------------------------------------------------------------------- admin


def _admin_page(
    request: Request, session: Session, actor: Actor, *, error: XinyongError | None = None, **extra: Any
) -> HTMLResponse:
    """The administration page after an action: committed when it worked, rolled back when refused."""
    if error is None:
        session.commit()
    else:
        session.rollback()
    policy: Policy = request.app.state.policy
    context: dict[str, Any] = {
        "active": "admin",
        "actor": actor,
        "orgs": service.list_orgs(session),
        "accounts": service.list_accounts(session),
        "kinds": [(k, v) for k, v in ORG_KIND_LABELS.items() if k != "operator"],
        "kind_labels": ORG_KIND_LABELS,
        "roles": [(k, r.label) for k, r in policy.roles.items() if k not in ("public", "subject")],
        "role_labels": {k: r.label for k, r in policy.roles.items()},
        "can": actor.permissions,
        **extra,
    }
    if "token.read" in actor.permissions:
        context["tokens"] = service.list_tokens(session)
    if "audit.verify" in actor.permissions and "chain" not in context:
        # Checking the anchors is cheap; walking the whole chain is the explicit "verify" action.
        anchors = read_anchors(request.app.state.settings.data_dir / ANCHOR_FILE)
        context["anchors"] = anchors
        context["anchor_problem"] = check_anchors(session, anchors, 0)
    if error is not None:
        context["problem"] = error.problem
    return render(request, "admin.html", context, error.status if error else 200)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    return _admin_page(request, session, actor)


@router.post("/admin/orgs", response_class=HTMLResponse)
def admin_add_org(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.manage"))], form: Form
) -> HTMLResponse:
    try:
        org = service.create_org(
            session,
            by=actor,
            now=now(request),
            code=_field(form, "code"),
            name=_field(form, "name"),
            kind=_field(form, "kind"),
            uscc=_field(form, "uscc") or None,
        )
    except XinyongError as exc:
        return _admin_page(request, session, actor, error=exc)
    return _admin_page(request, session, actor, notice=f"已登记机构 {org.name}（{org.code}）")


@router.post("/admin/accounts", response_class=HTMLResponse)
def admin_add_account(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("account.manage"))], form: Form
) -> HTMLResponse:
    client = form.get("client") == "on"
    try:
        account = service.create_account(
            session,
            by=actor,
            policy=request.app.state.policy,
            now=now(request),
            org_code=_field(form, "org"),
            username=_field(form, "username"),
            display_name=_field(form, "display_name"),
            roles=[str(r) for r in form.getlist("roles")],
            client=client,
            password=None if client else str(form.get("password", "")),
        )
    except XinyongError as exc:
        return _admin_page(request, session, actor, error=exc)
    return _admin_page(request, session, actor, notice=f"已创建账号 {account.username}")


@router.post("/admin/tokens", response_class=HTMLResponse)
def admin_create_token(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("token.manage"))], form: Form
) -> HTMLResponse:
    try:
        _limiter(request).take(ratelimit.TOKEN_CREATIONS, "token-create", str(actor.account_id))
        until = datetime.combine(parse_date(_field(form, "expires"), "到期日"), time.max, tzinfo=CHINA_TZ)
        issued = service.create_token(
            session,
            by=actor,
            key=request.app.state.secret_key,
            now=now(request),
            username=_field(form, "username"),
            name=_field(form, "name"),
            expires_at=until,
        )
    except XinyongError as exc:
        return _admin_page(request, session, actor, error=exc)
    return _admin_page(
        request,
        session,
        actor,
        notice=f"已创建令牌（编号 {issued.token.id}），请立即保存，此后不再显示",
        new_token=issued.value,
    )


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def admin_revoke_token(
    request: Request,
    session: DB,
    token_id: TokenId,
    actor: Annotated[Actor, Depends(Permission("token.manage"))],
    form: Form,
) -> HTMLResponse:
    try:
        service.revoke_token(session, by=actor, now=now(request), token_id=token_id)
    except XinyongError as exc:
        return _admin_page(request, session, actor, error=exc)
    return _admin_page(request, session, actor, notice=f"已吊销令牌 {token_id}")


@router.post("/admin/audit/verify", response_class=HTMLResponse)
def admin_verify_audit(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("audit.verify"))], form: Form
) -> HTMLResponse:
    settings = request.app.state.settings
    result = verify_and_anchor(session, settings.data_dir, settings.clock.now())
    return _admin_page(request, session, actor, chain=result)
