"""Organisations, accounts, tokens, sessions and subject identity checks: the only writer of their tables.

Every change is recorded in the audit log inside the caller's transaction (SEC-1). Sign-in failures say
the same thing whatever was wrong, so no message tells whether an account exists; what people typed into a
sign-in form is never stored unless it names a real account (it may be a password typed in the wrong box).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.access import security
from xinyong.access.actors import Actor, actor_of
from xinyong.access.identity import IdentityVerifier
from xinyong.access.models import (
    Account,
    AccountRole,
    ApiToken,
    IdentityChallenge,
    LoginSession,
    Organisation,
)
from xinyong.access.policy import ORG_KIND_LABELS, OrgKind, Policy
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import in_beijing
from xinyong.errors import Unauthenticated, XinyongError
from xinyong.rules import identifiers
from xinyong.rules.text import plain

OPERATOR_CODE = "operator"
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# Subject accounts are named "subject:<code>": the colon keeps anyone from creating or squatting one.
SUBJECT_PREFIX = "subject:"
CHALLENGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NAME_LENGTH = 200
TOKEN_NAME_LENGTH = 100
# A token must end; a year is the longest a department system may run on one.
MAX_TOKEN_LIFETIME = timedelta(days=366)
# Writing "last used" on every request would make every read a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)
IDENTITY_FAILED = ("identity.failed", "验证码错误或已失效，请重新获取")


def audit_actor(actor: Actor) -> AuditActor:
    return AuditActor(account_id=actor.account_id, org=actor.org_code, label=actor.label)


def _audit(
    session: Session,
    by: Actor,
    now: datetime,
    action: str,
    target_type: str,
    target_id: str,
    **detail: object,
) -> None:
    audit.record(
        session,
        at=now,
        actor=audit_actor(by),
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )


@contextmanager
def _unique(code: str, message: str, field: str) -> Iterator[None]:
    """Turn a unique-constraint race (two requests creating the same thing) into the same refusal."""
    try:
        yield
    except IntegrityError as exc:
        raise XinyongError(code, message, field=field) from exc


# ------------------------------------------------------------------------------------------ organisations


def ensure_operator(session: Session, *, now: datetime, name: str) -> tuple[Organisation, bool]:
    """The operator organisation exists from ``xinyong init`` on; returns it and whether it was created."""
    found = session.scalar(select(Organisation).where(Organisation.code == OPERATOR_CODE))
    if found is not None:
        return found, False
    org = Organisation(code=OPERATOR_CODE, name=name, kind="operator", active=True, created_at=now)
    session.add(org)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="org.create",
        target_type="organisation",
        target_id=OPERATOR_CODE,
        detail={"name": name, "kind": "operator"},
    )
    return org, True


def count_role(session: Session, *, org: Organisation, role: str) -> int:
    query = (
        select(func.count())
        .select_from(AccountRole)
        .join(Account)
        .where(Account.organisation_id == org.id, AccountRole.role == role, Account.active.is_(True))
    )
    return int(session.scalar(query) or 0)


def create_org(
    session: Session, *, by: Actor, now: datetime, code: str, name: str, kind: str, uscc: str | None = None
) -> Organisation:
    if not CODE.match(code):
        raise XinyongError(
            "org.code_invalid", f"机构代码 {code[:64]!r} 无效：2至64位小写字母、数字、-、_", field="code"
        )
    if kind not in ORG_KIND_LABELS or kind == "operator":
        known = "、".join(f"{k}（{v}）" for k, v in ORG_KIND_LABELS.items() if k != "operator")
        raise XinyongError("org.kind_invalid", f"机构类型 {kind[:32]!r} 无效；可选：{known}", field="kind")
    name = plain(name, field="name", max_length=NAME_LENGTH, label="机构名称")
    if not name:
        raise XinyongError("org.name_required", "机构名称不能为空", field="name")
    value = identifiers.validate_uscc(uscc) if uscc else None
    exists = f"机构代码 {code} 已存在"
    if session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        raise XinyongError("org.exists", exists, field="code")
    if value and session.scalar(select(Organisation.id).where(Organisation.uscc == value)) is not None:
        raise XinyongError("org.uscc_exists", f"统一社会信用代码 {value} 已登记为其他机构", field="uscc")
    org = Organisation(code=code, name=name, kind=kind, uscc=value, active=True, created_at=now)
    with _unique("org.exists", exists, "code"), session.begin_nested():
        session.add(org)
    _audit(session, by, now, "org.create", "organisation", code, name=name, kind=kind, uscc=value)
    return org


def get_org(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code)) if CODE.match(code) else None
    if org is None:
        raise XinyongError("org.not_found", f"没有机构代码为 {code[:64]} 的机构", field="org")
    return org


def list_orgs(session: Session) -> Sequence[Organisation]:
    return session.scalars(select(Organisation).order_by(Organisation.id)).all()


# ----------------------------------------------------------------------------------------------- accounts


def create_account(
    session: Session,
    *,
    by: Actor,
    policy: Policy,
    now: datetime,
    org_code: str,
    username: str,
    display_name: str,
    roles: Sequence[str],
    client: bool = False,
    password: str | None = None,
) -> Account:
    """A person (signs in with a password) or a machine client (uses API tokens only) of an organisation."""
    org = get_org(session, org_code)
    if not USERNAME.match(username):
        raise XinyongError(
            "account.username_invalid",
            f"用户名 {username[:64]!r} 无效：3至64位小写字母、数字、.、-、_",
            field="username",
        )
    display_name = plain(display_name, field="display_name", max_length=NAME_LENGTH, label="姓名或系统名称")
    if not roles:
        raise XinyongError("account.role_required", "至少指定一个角色", field="role")
    for role in roles:
        policy.check_role(role, cast(OrgKind, org.kind))
    if client and password:
        raise XinyongError("account.client_password", "系统账号只使用访问令牌，不设密码", field="password")
    if not client and password is None:
        raise XinyongError("account.password_required", "个人账号须设置初始密码", field="password")
    exists = f"用户名 {username} 已被使用"
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise XinyongError("account.exists", exists, field="username")
    account = Account(
        organisation_id=org.id,
        username=username,
        display_name=display_name or username,
        kind="client" if client else "person",
        password_hash=security.hash_password(password) if password is not None else None,
        active=True,
        created_at=now,
    )
    account.roles = [AccountRole(role=role) for role in sorted(set(roles))]
    with _unique("account.exists", exists, "username"), session.begin_nested():
        session.add(account)
    _audit(
        session,
        by,
        now,
        "account.create",
        "account",
        username,
        org=org_code,
        roles=sorted(set(roles)),
        kind=account.kind,
    )
    return account


def get_account(session: Session, username: str) -> Account:
    known = USERNAME.match(username) or username.startswith(SUBJECT_PREFIX)
    account = session.scalar(select(Account).where(Account.username == username)) if known else None
    if account is None:
        raise XinyongError("account.not_found", f"没有用户名为 {username[:64]} 的账号", field="username")
    return account


def list_accounts(session: Session) -> Sequence[Account]:
    query = select(Account).where(Account.kind != "subject").order_by(Account.id)
    return session.scalars(query).all()


def set_password(session: Session, *, by: Actor, now: datetime, username: str, password: str) -> None:
    account = get_account(session, username)
    if account.kind != "person":
        raise XinyongError("account.client_password", "只有个人账号可以设置密码", field="username")
    account.password_hash = security.hash_password(password)
    for open_session in session.scalars(
        select(LoginSession).where(LoginSession.account_id == account.id, LoginSession.ended_at.is_(None))
    ):
        open_session.ended_at = now  # a new password signs every browser out
    _audit(session, by, now, "account.password_set", "account", username)


def set_active(session: Session, *, by: Actor, now: datetime, username: str, active: bool) -> Account:
    account = get_account(session, username)
    account.active = active
    _audit(session, by, now, "account.enable" if active else "account.disable", "account", username)
    return account


def usable(account: Account) -> bool:
    """An account may act only while it and its organisation are active."""
    return account.active and (account.organisation is None or account.organisation.active)


def authenticate(session: Session, *, username: str, password: str) -> Account | None:
    """The account if the password is right and the account usable; None for any failure, equally slow."""
    found = None
    if USERNAME.match(username):
        found = session.scalar(select(Account).where(Account.username == username, Account.kind == "person"))
    stored = found.password_hash if found is not None else None
    if not security.password_matches(stored, password) or found is None or not usable(found):
        return None
    return found


def record_login_failure(
    session: Session, *, now: datetime, username: str, address: str, request_id: str | None
) -> None:
    """A failed sign-in in the audit trail: the account when the name is one, never the text typed."""
    named = (
        session.scalar(select(Account.username).where(Account.username == username))
        if USERNAME.match(username)
        else None
    )
    audit.record(
        session,
        at=now,
        actor=audit.PUBLIC,
        action="auth.login_failed",
        target_type="account",
        target_id=named or "（不存在的用户名）",
        request_id=request_id,
        detail={"address": address},
    )


def record_refusal(
    session: Session, *, now: datetime, actor: Actor, route: str, refused: str, request_id: str | None
) -> None:
    audit.record(
        session,
        at=now,
        actor=audit_actor(actor),
        action="access.refused",
        target_type="route",
        target_id=route,
        request_id=request_id,
        detail={"refused": refused},
    )


# ------------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    value: str  # shown once, never stored


def create_token(
    session: Session, *, by: Actor, key: bytes, now: datetime, username: str, name: str, expires_at: datetime
) -> IssuedToken:
    account = get_account(session, username)
    if account.kind == "subject":
        raise XinyongError("token.subject", "信用主体账号不能创建访问令牌", field="username")
    if expires_at <= now:
        raise XinyongError("token.expiry_past", "令牌到期时间必须晚于现在", field="expires_at")
    if expires_at - now > MAX_TOKEN_LIFETIME:
        raise XinyongError("token.expiry_too_far", "令牌有效期最长一年", field="expires_at")
    name = plain(name, field="name", max_length=TOKEN_NAME_LENGTH, label="令牌用途")
    if not name:
        raise XinyongError("token.name_required", "令牌用途不能为空（例如对接的业务系统名称）", field="name")
    fresh = security.new_token()
    token = ApiToken(
        account_id=account.id,
        name=name,
        prefix=fresh.prefix,
        secret_hash=security.keyed_hash(key, fresh.secret),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    _audit(
        session,
        by,
        now,
        "token.create",
        "api_token",
        str(token.id),
        account=username,
        name=name,
        expires_at=expires_at.isoformat(),
    )
    return IssuedToken(token, fresh.value)


def revoke_token(session: Session, *, by: Actor, now: datetime, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise XinyongError("token.not_found", f"没有编号为 {token_id} 的令牌", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = now
        _audit(session, by, now, "token.revoke", "api_token", str(token_id), account=token.account.username)
    return token


def list_tokens(session: Session) -> Sequence[ApiToken]:
    return session.scalars(select(ApiToken).order_by(ApiToken.id)).all()


def resolve_token(session: Session, *, key: bytes, value: str, now: datetime) -> Account:
    """The account behind a Bearer token, or :class:`Unauthenticated` saying what is wrong with the token."""
    parts = security.split_token(value)
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[0])) if parts else None
    if (
        parts is None
        or token is None
        or not security.same(token.secret_hash, security.keyed_hash(key, parts[1]))
    ):
        raise Unauthenticated("auth.invalid_token", "访问令牌无效")
    if token.revoked_at is not None:
        raise Unauthenticated("auth.token_revoked", "访问令牌已被吊销")
    if in_beijing(token.expires_at) <= now:
        raise Unauthenticated("auth.token_expired", "访问令牌已过期")
    if not usable(token.account):
        raise Unauthenticated("auth.account_disabled", "该令牌所属账号或机构已停用")
    if token.last_used_at is None or now - in_beijing(token.last_used_at) >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token.account


# ----------------------------------------------------------------------------------------------- sessions


def start_session(session: Session, *, key: bytes, policy: Policy, account: Account, now: datetime) -> str:
    token = security.new_session_token()
    session.add(
        LoginSession(
            token_hash=security.keyed_hash(key, token),
            account_id=account.id,
            created_at=now,
            expires_at=now + security.SESSION_LIFETIME,
        )
    )
    audit.record(
        session,
        at=now,
        actor=audit_actor(actor_of(account, policy)),
        action="auth.login",
        target_type="account",
        target_id=account.username,
    )
    return token


def resolve_session(session: Session, *, key: bytes, token: str, now: datetime) -> Account | None:
    found = session.get(LoginSession, security.keyed_hash(key, token))
    if (
        found is None
        or found.ended_at is not None
        or in_beijing(found.expires_at) <= now
        or not usable(found.account)
    ):
        return None
    return found.account


def end_session(session: Session, *, key: bytes, policy: Policy, token: str, now: datetime) -> None:
    found = session.get(LoginSession, security.keyed_hash(key, token))
    if found is not None and found.ended_at is None:
        found.ended_at = now
        audit.record(
            session,
            at=now,
            actor=audit_actor(actor_of(found.account, policy)),
            action="auth.logout",
            target_type="account",
            target_id=found.account.username,
        )


# ---------------------------------------------------------------------------------- subject identity check


def start_identity_check(
    session: Session, *, key: bytes, verifier: IdentityVerifier, now: datetime, code: str, name: str
) -> str:
    """Begin a subject's sign-in: validate its identifier, send a one-time code out of band (DIS-5)."""
    identifier = identifiers.validate(code)
    name = plain(name, field="name", max_length=100, label="名称")
    if not name:
        raise XinyongError("identity.name_required", "请填写名称（单位名称或本人姓名）", field="name")
    one_time = security.new_code()
    challenge = IdentityChallenge(
        id=secrets.token_urlsafe(16),
        subject_key=identifier.value,
        subject_kind=identifier.kind.value,
        name=name,
        code_hash=security.keyed_hash(key, one_time),
        created_at=now,
        expires_at=now + security.CHALLENGE_LIFETIME,
        attempts=0,
    )
    session.add(challenge)
    audit.record(
        session,
        at=now,
        actor=audit.PUBLIC,
        action="identity.start",
        target_type="subject",
        target_id=identifier.value,
        subject_key=identifier.value,
        detail={"kind": identifier.kind.value},
    )
    verifier.send(subject_key=identifier.value, name=name, code=one_time)
    return challenge.id


def finish_identity_check(
    session: Session, *, key: bytes, policy: Policy, now: datetime, challenge_id: str, code: str
) -> Account | None:
    """The subject's own account once the code matches, else None.

    The attempt is counted by one conditional UPDATE, so parallel guesses cannot share an attempt; the
    caller commits either way and answers every failure with :data:`IDENTITY_FAILED`.
    """
    if not CHALLENGE_ID.match(challenge_id):
        return None
    counted = session.execute(
        update(IdentityChallenge)
        .where(
            IdentityChallenge.id == challenge_id,
            IdentityChallenge.attempts < security.CHALLENGE_ATTEMPTS,
            IdentityChallenge.used_at.is_(None),
            IdentityChallenge.expires_at > now,
        )
        .values(attempts=IdentityChallenge.attempts + 1)
        .returning(
            IdentityChallenge.code_hash,
            IdentityChallenge.subject_key,
            IdentityChallenge.subject_kind,
            IdentityChallenge.name,
        )
    ).first()
    if counted is None or not security.same(counted.code_hash, security.keyed_hash(key, code.strip()[:16])):
        return None
    session.execute(update(IdentityChallenge).where(IdentityChallenge.id == challenge_id).values(used_at=now))
    account = session.scalar(select(Account).where(Account.subject_key == counted.subject_key))
    if account is None:
        account = _subject_account(
            session,
            policy=policy,
            now=now,
            subject_key=counted.subject_key,
            kind=counted.subject_kind,
            name=counted.name,
        )
    return account


def _subject_account(
    session: Session, *, policy: Policy, now: datetime, subject_key: str, kind: str, name: str
) -> Account:
    """A subject's account, made at its first sign-in; a parallel first sign-in finds the other's."""
    account = Account(
        organisation_id=None,
        username=f"{SUBJECT_PREFIX}{subject_key}",
        display_name=name,
        kind="subject",
        subject_key=subject_key,
        active=True,
        created_at=now,
    )
    account.roles = [AccountRole(role="subject")]
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        found = session.scalar(select(Account).where(Account.subject_key == subject_key))
        assert found is not None
        return found
    audit.record(
        session,
        at=now,
        actor=audit_actor(actor_of(account, policy)),
        action="account.create",
        target_type="account",
        target_id=account.username,
        subject_key=subject_key,
        detail={"kind": "subject", "identifier": kind},
    )
    return account
