"""Organisations, accounts, tokens, sessions and subject identity checks: the only writer of their tables.

Every change is recorded in the audit log inside the caller's transaction (SEC-1). Sign-in failures say
the same thing whatever was wrong, so no message tells whether an account exists.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.access import security
from xinyong.access.actors import Actor
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
from xinyong.clock import CHINA_TZ
from xinyong.errors import Unauthenticated, XinyongError
from xinyong.rules import identifiers

OPERATOR_CODE = "operator"
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# A token must end; a year is the longest a department system may run on one.
MAX_TOKEN_LIFETIME = timedelta(days=366)
# Writing "last used" on every request would make every read a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


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
        actor=AuditActor(None, None, "平台初始化"),
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
            "org.code_invalid", f"机构代码 {code!r} 无效：2至64位小写字母、数字、-、_", field="code"
        )
    if kind not in ORG_KIND_LABELS or kind == "operator":
        known = "、".join(f"{k}（{v}）" for k, v in ORG_KIND_LABELS.items() if k != "operator")
        raise XinyongError("org.kind_invalid", f"机构类型 {kind!r} 无效；可选：{known}", field="kind")
    if not name.strip():
        raise XinyongError("org.name_required", "机构名称不能为空", field="name")
    value = identifiers.validate_uscc(uscc) if uscc else None
    if session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        raise XinyongError("org.exists", f"机构代码 {code} 已存在", field="code")
    if value and session.scalar(select(Organisation.id).where(Organisation.uscc == value)) is not None:
        raise XinyongError("org.uscc_exists", f"统一社会信用代码 {value} 已登记为其他机构", field="uscc")
    org = Organisation(code=code, name=name.strip(), kind=kind, uscc=value, active=True, created_at=now)
    session.add(org)
    session.flush()
    _audit(session, by, now, "org.create", "organisation", code, name=org.name, kind=kind, uscc=value)
    return org


def get_org(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise XinyongError("org.not_found", f"没有机构代码为 {code} 的机构", field="org")
    return org


def list_orgs(session: Session) -> Sequence[Organisation]:
    return session.scalars(select(Organisation).order_by(Organisation.id)).all()


# ----------------------------------------------------------------------------------------------- accounts


def _check_password(password: str) -> None:
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise XinyongError(
            "account.password_weak", f"密码至少 {security.MIN_PASSWORD_LENGTH} 个字符", field="password"
        )


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
            f"用户名 {username!r} 无效：3至64位小写字母、数字、.、-、_",
            field="username",
        )
    if not roles:
        raise XinyongError("account.role_required", "至少指定一个角色", field="role")
    for role in roles:
        policy.check_role(role, cast(OrgKind, org.kind))
    if client and password:
        raise XinyongError("account.client_password", "系统账号只使用访问令牌，不设密码", field="password")
    if password is not None:
        _check_password(password)
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise XinyongError("account.exists", f"用户名 {username} 已被使用", field="username")
    account = Account(
        organisation_id=org.id,
        username=username,
        display_name=display_name.strip() or username,
        kind="client" if client else "person",
        password_hash=security.hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    account.roles = [AccountRole(role=role) for role in sorted(set(roles))]
    session.add(account)
    session.flush()
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
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise XinyongError("account.not_found", f"没有用户名为 {username} 的账号", field="username")
    return account


def list_accounts(session: Session) -> Sequence[Account]:
    query = select(Account).where(Account.kind != "subject").order_by(Account.id)
    return session.scalars(query).all()


def set_password(session: Session, *, by: Actor, now: datetime, username: str, password: str) -> None:
    account = get_account(session, username)
    if account.kind != "person":
        raise XinyongError("account.client_password", "只有个人账号可以设置密码", field="username")
    _check_password(password)
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


def authenticate(session: Session, *, username: str, password: str) -> Account | None:
    """The account if the password is right and the account active; None for any failure, equally slow."""
    account = session.scalar(select(Account).where(Account.username == username, Account.kind == "person"))
    stored = account.password_hash if account is not None else None
    if not security.password_matches(stored, password) or account is None or not account.active:
        return None
    return account


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
    if not name.strip():
        raise XinyongError("token.name_required", "令牌名称不能为空（例如对接的业务系统名称）", field="name")
    fresh = security.new_token()
    token = ApiToken(
        account_id=account.id,
        name=name.strip(),
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
        name=token.name,
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
    if _aware(token.expires_at) <= now:
        raise Unauthenticated("auth.token_expired", "访问令牌已过期")
    if not token.account.active:
        raise Unauthenticated("auth.account_disabled", "该令牌所属账号已停用")
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token.account


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns; they were written in the platform's zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


# ----------------------------------------------------------------------------------------------- sessions


def start_session(session: Session, *, key: bytes, account: Account, now: datetime) -> str:
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
        actor=AuditActor(account.id, _org_code(account), account.display_name),
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
        or _aware(found.expires_at) <= now
        or not found.account.active
    ):
        return None
    return found.account


def end_session(session: Session, *, key: bytes, token: str, now: datetime) -> None:
    found = session.get(LoginSession, security.keyed_hash(key, token))
    if found is not None and found.ended_at is None:
        found.ended_at = now
        account = found.account
        audit.record(
            session,
            at=now,
            actor=AuditActor(account.id, _org_code(account), account.display_name),
            action="auth.logout",
            target_type="account",
            target_id=account.username,
        )


def _org_code(account: Account) -> str | None:
    return account.organisation.code if account.organisation else None


# ---------------------------------------------------------------------------------- subject identity check


def start_identity_check(
    session: Session, *, key: bytes, verifier: IdentityVerifier, now: datetime, code: str, name: str
) -> str:
    """Begin a subject's sign-in: validate its identifier, send a one-time code out of band (DIS-5)."""
    identifier = identifiers.validate(code)
    if not name.strip():
        raise XinyongError("identity.name_required", "请填写名称（单位名称或本人姓名）", field="name")
    one_time = security.new_code()
    challenge = IdentityChallenge(
        id=secrets.token_urlsafe(16),
        subject_key=identifier.value,
        subject_kind=identifier.kind.value,
        name=name.strip(),
        code_hash=security.keyed_hash(key, one_time),
        created_at=now,
        expires_at=now + security.CHALLENGE_LIFETIME,
        attempts=0,
    )
    session.add(challenge)
    verifier.send(subject_key=identifier.value, name=name.strip(), code=one_time)
    return challenge.id


IDENTITY_FAILED = ("identity.failed", "验证码错误或已失效，请重新获取")


def finish_identity_check(
    session: Session, *, key: bytes, now: datetime, challenge_id: str, code: str
) -> Account | None:
    """The subject's own account once the code matches, else None (the caller commits the attempt count
    either way, and answers every failure with :data:`IDENTITY_FAILED`)."""
    challenge = session.get(IdentityChallenge, challenge_id)
    if challenge is None or challenge.used_at is not None or _aware(challenge.expires_at) <= now:
        return None
    if challenge.attempts >= security.CHALLENGE_ATTEMPTS:
        return None
    challenge.attempts += 1
    if not security.same(challenge.code_hash, security.keyed_hash(key, code.strip())):
        return None
    challenge.used_at = now
    account = session.scalar(select(Account).where(Account.subject_key == challenge.subject_key))
    if account is None:
        account = Account(
            organisation_id=None,
            username=f"subject-{challenge.subject_key.lower()}",
            display_name=challenge.name,
            kind="subject",
            subject_key=challenge.subject_key,
            active=True,
            created_at=now,
        )
        account.roles = [AccountRole(role="subject")]
        session.add(account)
        session.flush()
    return account
