"""Portal pages for signing in and out, a subject's own page, and the operator's administration.

Forms carry a CSRF token tied to a cookie of the browser (double submit, keyed by the secret key); session
cookies are HttpOnly and SameSite=Lax. A failed sign-in says the same whatever was wrong.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from xinyong.access import ratelimit, security, service
from xinyong.access.actors import Actor, actor_of
from xinyong.access.deps import DB, SESSION_COOKIE, CreditReader, Permission, client_address, security_log
from xinyong.access.gate import Gate, Info
from xinyong.access.models import Account
from xinyong.access.policy import ORG_KIND_LABELS, Policy
from xinyong.audit import service as audit
from xinyong.clock import CHINA_TZ
from xinyong.errors import Forbidden, Unauthenticated, XinyongError
from xinyong.rules.dates import parse_date

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "xinyong_csrf"
LOGIN_FAILED = Unauthenticated("auth.invalid_credentials", "用户名或密码错误")


# ----------------------------------------------------------------------------------------------- helpers


def _csrf_cookie(request: Request) -> tuple[str, bool]:
    value = request.cookies.get(CSRF_COOKIE)
    return (value, False) if value else (secrets.token_urlsafe(24), True)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page with forms: hands the template its CSRF token, setting the browser's cookie if it has none."""
    cookie, fresh = _csrf_cookie(request)
    context = {**context, "csrf_token": security.csrf_token(request.app.state.secret_key, cookie)}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    if fresh:
        _set_cookie(request, response, CSRF_COOKIE, cookie, max_age=None)
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        path="/",
        secure=bool(request.app.state.settings.secure_cookies),
    )


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this browser's cookie."""
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not cookie or not security.same(sent, security.csrf_token(request.app.state.secret_key, cookie)):
        raise Forbidden("auth.csrf", "表单已失效，请刷新页面后重新提交")
    return form


def _field(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def _now(request: Request) -> datetime:
    return request.app.state.settings.clock.now()  # type: ignore[no-any-return]


def _safe_next(target: str) -> str:
    """Only a path on this site: never redirect a signed-in user elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else ""


def _signed_in(request: Request, session: Session, account_id: int, target: str) -> RedirectResponse:
    account = session.get(Account, account_id)
    assert account is not None
    token = service.start_session(
        session, key=request.app.state.secret_key, account=account, now=_now(request)
    )
    session.commit()
    actor = actor_of(account, request.app.state.policy)
    default = "/admin" if "org.read" in actor.permissions else "/me"
    response = RedirectResponse(_safe_next(target) or default, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token, int(security.SESSION_LIFETIME.total_seconds()))
    return response


# ------------------------------------------------------------------------------------ sign in and out


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "login.html", {"active": "login", "next": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: DB) -> Response:
    form = await checked_form(request)
    username, password, target = _field(form, "username"), str(form.get("password", "")), _field(form, "next")
    limiter: ratelimit.Limiter = request.app.state.limiter
    address = client_address(request)
    context = {"active": "login", "next": _safe_next(target), "username": username}
    try:
        limiter.ensure(ratelimit.LOGIN_FAILURES, "login", address, username)
    except XinyongError as exc:
        return render(request, "login.html", {**context, "problem": exc.problem}, exc.status)
    account = service.authenticate(session, username=username, password=password)
    if account is None:
        limiter.count(ratelimit.LOGIN_FAILURES, "login", address, username)
        log_login_failure(request, session, username)
        return render(request, "login.html", {**context, "problem": LOGIN_FAILED.problem}, 401)
    return _signed_in(request, session, account.id, target)


def log_login_failure(request: Request, session: Session, username: str) -> None:
    """A failed sign-in goes to the security log and the audit trail, without the password."""
    security_log.warning("login failed for %r from %s", username, client_address(request))
    audit.record(
        session,
        at=_now(request),
        actor=audit.PUBLIC,
        action="auth.login_failed",
        target_type="account",
        target_id=username[:64],
        request_id=getattr(request.state, "request_id", None),
        detail={"address": client_address(request)},
    )
    session.commit()


@router.post("/logout")
async def logout(request: Request, session: DB) -> Response:
    await checked_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, key=request.app.state.secret_key, token=token, now=_now(request))
        session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------------------------ subjects sign in


@router.get("/me/login", response_class=HTMLResponse)
def subject_login_page(request: Request) -> HTMLResponse:
    return render(request, "me_login.html", {"active": "me", "verifier": request.app.state.verifier.label})


@router.post("/me/login", response_class=HTMLResponse)
async def subject_login_start(request: Request, session: DB) -> HTMLResponse:
    form = await checked_form(request)
    code, name = _field(form, "code"), _field(form, "name")
    context = {"active": "me", "verifier": request.app.state.verifier.label, "code": code, "name": name}
    try:
        limiter: ratelimit.Limiter = request.app.state.limiter
        limiter.take(ratelimit.IDENTITY_STARTS, "identity", client_address(request))
        challenge = service.start_identity_check(
            session,
            key=request.app.state.secret_key,
            verifier=request.app.state.verifier,
            now=_now(request),
            code=code,
            name=name,
        )
    except XinyongError as exc:
        return render(request, "me_login.html", {**context, "problem": exc.problem}, exc.status)
    session.commit()
    return render(request, "me_login.html", {**context, "challenge": challenge})


@router.post("/me/login/verify", response_class=HTMLResponse)
async def subject_login_finish(request: Request, session: DB) -> Response:
    form = await checked_form(request)
    challenge = _field(form, "challenge")
    account = service.finish_identity_check(
        session,
        key=request.app.state.secret_key,
        now=_now(request),
        challenge_id=challenge,
        code=_field(form, "one_time_code"),
    )
    session.commit()  # the attempt counts even when it failed
    if account is None:
        code, message = service.IDENTITY_FAILED
        context = {
            "active": "me",
            "verifier": request.app.state.verifier.label,
            "challenge": challenge,
            "problem": Unauthenticated(code, message).problem,
        }
        return render(request, "me_login.html", context, 401)
    return _signed_in(request, session, account.id, "/me")


# ------------------------------------------------------------------------------------------ own page


@router.get("/me", response_class=HTMLResponse)
def me_page(
    request: Request, session: DB, gate: Annotated[Gate, Depends(CreditReader("public.read"))]
) -> HTMLResponse:
    actor = gate.actor
    context: dict[str, Any] = {"active": "me", "actor": actor}
    if actor.subject_key is not None:
        gate.check(
            Info(subject_key=actor.subject_key, grade="subject_only", item="access-log"),
            action="access_log.read",
        )
        context["access_log"] = audit.access_log(session, subject_key=actor.subject_key, limit=50)
    policy: Policy = request.app.state.policy
    context["role_labels"] = [policy.roles[r].label for r in sorted(actor.roles) if r != "public"]
    context["action_labels"] = audit.ACTION_LABELS
    context["purpose_labels"] = {code: p.label for code, p in policy.purposes.items()}
    return render(request, "me.html", context)


# ---------------------------------------------------------------------------------------------- admin


def _admin_context(request: Request, session: Session, actor: Actor) -> dict[str, Any]:
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
    }
    if "token.read" in actor.permissions:
        context["tokens"] = service.list_tokens(session)
    if "audit.verify" in actor.permissions:
        context["chain"] = audit.verify(session)
    return context


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    return render(request, "admin.html", _admin_context(request, session, actor))


async def _admin_post(request: Request, session: Session, actor: Actor, permission: str) -> FormData:
    form = await checked_form(request)
    Permission(permission).ensure(request, actor)
    return form


def _admin_result(
    request: Request, session: Session, actor: Actor, error: XinyongError | None, **extra: Any
) -> HTMLResponse:
    if error is None:
        session.commit()
    else:
        session.rollback()
    context = {**_admin_context(request, session, actor), **extra}
    if error is not None:
        context["problem"] = error.problem
    return render(request, "admin.html", context, error.status if error else 200)


@router.post("/admin/orgs", response_class=HTMLResponse)
async def admin_add_org(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    form = await _admin_post(request, session, actor, "org.manage")
    try:
        org = service.create_org(
            session,
            by=actor,
            now=_now(request),
            code=_field(form, "code"),
            name=_field(form, "name"),
            kind=_field(form, "kind"),
            uscc=_field(form, "uscc") or None,
        )
    except XinyongError as exc:
        return _admin_result(request, session, actor, exc)
    return _admin_result(request, session, actor, None, notice=f"已登记机构 {org.name}（{org.code}）")


@router.post("/admin/accounts", response_class=HTMLResponse)
async def admin_add_account(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    form = await _admin_post(request, session, actor, "account.manage")
    client = form.get("client") == "on"
    try:
        account = service.create_account(
            session,
            by=actor,
            policy=request.app.state.policy,
            now=_now(request),
            org_code=_field(form, "org"),
            username=_field(form, "username"),
            display_name=_field(form, "display_name"),
            roles=[str(r) for r in form.getlist("roles")],
            client=client,
            password=None if client else str(form.get("password", "")),
        )
    except XinyongError as exc:
        return _admin_result(request, session, actor, exc)
    return _admin_result(request, session, actor, None, notice=f"已创建账号 {account.username}")


@router.post("/admin/tokens", response_class=HTMLResponse)
async def admin_create_token(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    form = await _admin_post(request, session, actor, "token.manage")
    try:
        limiter: ratelimit.Limiter = request.app.state.limiter
        limiter.take(ratelimit.TOKEN_CREATIONS, "token-create", str(actor.account_id))
        until = datetime.combine(parse_date(_field(form, "expires"), "到期日"), time.max, tzinfo=CHINA_TZ)
        issued = service.create_token(
            session,
            by=actor,
            key=request.app.state.secret_key,
            now=_now(request),
            username=_field(form, "username"),
            name=_field(form, "name"),
            expires_at=until,
        )
    except XinyongError as exc:
        return _admin_result(request, session, actor, exc)
    return _admin_result(
        request,
        session,
        actor,
        None,
        notice=f"已创建令牌（编号 {issued.token.id}），请立即保存，此后不再显示",
        new_token=issued.value,
    )


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def admin_revoke_token(
    request: Request, session: DB, token_id: int, actor: Annotated[Actor, Depends(Permission("org.read"))]
) -> HTMLResponse:
    await _admin_post(request, session, actor, "token.manage")
    try:
        service.revoke_token(session, by=actor, now=_now(request), token_id=token_id)
    except XinyongError as exc:
        return _admin_result(request, session, actor, exc)
    return _admin_result(request, session, actor, None, notice=f"已吊销令牌 {token_id}")
