"""Request dependencies for access: who is asking, may they, and the gate for reading credit data.

Every API route declares exactly one :class:`Permission` (or :class:`CreditReader`, which is one): the
authorization matrix test reads them from the route table. The API takes Bearer tokens; a portal session
cookie counts only for safe (GET) requests and for pages, so no API write can be forged cross-site.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import anyio
from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from xinyong.access import ratelimit, service
from xinyong.access.actors import Actor, actor_of, public_actor
from xinyong.access.gate import Decision, Gate, Info, ReadAction
from xinyong.access.policy import Policy
from xinyong.audit import service as audit
from xinyong.errors import Forbidden, Unauthenticated
from xinyong.market import registry as agencies

SESSION_COOKIE = "xinyong_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
security_log = logging.getLogger("xinyong.security")


async def db(request: Request) -> AsyncIterator[Session]:
    """The request's session. Committed when the route returns, before the response is sent, so the audit
    rows of reads the gate let through are stored before the data leaves; rolled back if the route fails.

    Made and closed on the event loop (no database work until a query, none left after a commit); only the
    commit goes to a worker thread, so a request pays one thread hop for its session, not two. That thread is
    not one of the routes' pool (as FastAPI does for its own exits): routes waiting there for a database
    connection must not keep the sessions holding the connections from committing."""
    session: Session = request.app.state.sessions()
    try:
        yield session
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.commit, limiter=anyio.CapacityLimiter(1))
    finally:
        session.close()


DB = Annotated[Session, Depends(db, scope="function")]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def current_actor(request: Request, session: DB) -> Actor:
    """Who asks: the public unless a Bearer token or a session cookie says otherwise. Only those are looked
    up in the database (in a worker thread); a visitor with neither costs no thread hop."""
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization")
    cookie = request.cookies.get(SESSION_COOKIE)
    if header or cookie:
        actor = await run_in_threadpool(_identify, request, session, header, cookie)
    else:
        actor = public_actor(request.app.state.policy)
    request.state.actor = actor
    return actor


def _identify(request: Request, session: Session, header: str | None, cookie: str | None) -> Actor:
    state = request.app.state
    policy: Policy = state.policy
    now = state.settings.clock.now()
    actor = public_actor(policy)
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("auth.scheme", "Authorization 请求头应为“Bearer 访问令牌”")
        limiter: ratelimit.Limiter = state.limiter
        limiter.ensure(ratelimit.TOKEN_FAILURES, "token", client_address(request))
        try:
            account = service.resolve_token(session, key=state.secret_key, value=value.strip(), now=now)
        except Unauthenticated as exc:
            limiter.count(ratelimit.TOKEN_FAILURES, "token", client_address(request))
            security_log.warning("token refused (%s) from %s", exc.code, client_address(request))
            raise
        session.commit()  # last-used time
        actor = actor_of(account, policy)
    elif cookie and (request.method in SAFE_METHODS or not request.url.path.startswith("/api/")):
        signed_in = service.resolve_session(session, key=state.secret_key, token=cookie, now=now)
        if signed_in is not None:
            actor = actor_of(signed_in, policy)
    return actor


class Permission:
    """A route's permission: the actor must hold it (401 when anonymous, 403 when signed in)."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def __call__(self, request: Request, actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        await self.allow(request, actor)
        return actor

    async def allow(self, request: Request, actor: Actor) -> None:
        """:meth:`ensure` on the event loop; a refusal, which writes to the audit log, in a worker thread."""
        if self.name not in actor.permissions:
            await run_in_threadpool(self.ensure, request, actor)

    def ensure(self, request: Request, actor: Actor) -> None:
        if self.name in actor.permissions:
            return
        if not actor.signed_in:
            raise Unauthenticated("auth.required", "请先登录或提供访问令牌")
        refuse_in_audit(request, actor, f"permission:{self.name}")
        raise Forbidden("access.forbidden", "本账号无权进行此操作")


def now(request: Request) -> datetime:
    moment: datetime = request.app.state.settings.clock.now()
    return moment


def refuse_in_audit(request: Request, actor: Actor, what: str) -> None:
    """A refusal goes to the security log and, in a transaction of its own, the audit log: the request
    itself fails and rolls back."""
    route = f"{request.method} {request.url.path}"
    security_log.warning("refused %s to %s (%s)", what, actor.label, route)
    with request.app.state.sessions() as session, session.begin():
        service.record_refusal(
            session,
            now=now(request),
            actor=actor,
            route=route[:200],
            refused=what,
            request_id=request_id(request),
        )


@dataclass
class RequestReadLog:
    """The gate's log for one request: reads into the request's own transaction, refusals on their own."""

    request: Request
    session: Session
    actor: Actor

    def read(
        self,
        decision: Decision,
        info: Info,
        action: ReadAction,
        target_type: str | None,
        target_id: str | None,
    ) -> None:
        audit.record(
            self.session,
            at=now(self.request),
            actor=service.audit_actor(self.actor),
            action=action,
            target_type=target_type,
            target_id=target_id,
            subject_key=info.subject_key,
            purpose=decision.purpose or decision.mode,
            request_id=request_id(self.request),
            detail={"mode": decision.mode, "item": info.item, "authorization": decision.authorization_id},
        )
        self.session.flush()

    def refused(self, decision: Decision, info: Info) -> None:
        # Release whatever the request holds (the audit head above all) before logging on the side.
        self.session.rollback()
        refuse_in_audit(self.request, self.actor, f"{decision.code}:{info.item}")


class CreditReader(Permission):
    """The permission of a route that reads credit information; it hands the route its :class:`Gate`."""

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        session: DB,
        actor: Annotated[Actor, Depends(current_actor)],
        purpose: Annotated[
            str | None, Query(max_length=64, description="查询目的（部门查询非公开信息时必填）")
        ] = None,
        x_xinyong_purpose: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Gate:
        await self.allow(request, actor)
        state = request.app.state
        today = state.settings.clock.today()
        # An agency's registry standing and its providers' authorizations, once per request (MKT-3).
        agency = (
            await run_in_threadpool(agencies.standing, session, actor.org_code, today)
            if actor.org_kind == "agency"
            else None
        )
        return Gate(
            policy=state.policy,
            actor=actor,
            purpose=purpose or (x_xinyong_purpose or "")[:64] or None,
            today=today,
            log=RequestReadLog(request, session, actor),
            agency=agency,
        )


def page_actor(request: Request) -> dict[str, Actor | None]:
    """Template context: who is signed in, so every page's navigation can say so."""
    actor: Actor | None = getattr(request.state, "actor", None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if actor is None and cookie:
        state = request.app.state
        with state.sessions() as session:
            account = service.resolve_session(
                session, key=state.secret_key, token=cookie, now=state.settings.clock.now()
            )
            actor = actor_of(account, state.policy) if account is not None else None
    return {"nav_actor": actor}


# The permission of routes anyone may call: declared all the same, so the matrix sees every route.
PublicAccess = Annotated[Actor, Depends(Permission("public.read"))]
