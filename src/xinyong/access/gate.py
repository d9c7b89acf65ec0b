"""The one visibility gate (DESIGN principle 3; SEC-3, DIS-1, DIS-3, DIS-4, DIS-6, MKT-3).

``decide`` is the single function that says whether an actor, for a purpose, may see a piece of
information, and why. Every read path gets its answer through a ``Gate`` (``access.deps.reader``), which
also writes each non-public read into the audit log before the data leaves the platform.

A credit service agency is a party of its own (CT 53): whatever the information's grade, public
included, it is given to a registered agency in good standing only under both the subject's authorization
and the authorization of the provider that delivered it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from xinyong.access.actors import Actor
from xinyong.access.policy import Grade, Mode, Policy
from xinyong.errors import Forbidden, XinyongError

ALL_DEPARTMENTS = "*"


@dataclass(frozen=True)
class Info:
    """What is about to be read, as far as visibility is concerned.

    ``publicly_visible`` and ``archived`` are decided by the module that owns the information (a record
    inside its public period and not withdrawn is publicly visible; one whose period ended, or that was
    repaired or revoked, is archived and only its subject may still see it).
    """

    subject_key: str
    grade: Grade
    item: str
    shared_with: frozenset[str] = frozenset()
    publicly_visible: bool = False
    archived: bool = False
    provider: str | None = None  # the organisation that delivered it: its authorization opens it to agencies


@dataclass(frozen=True)
class Authorization:
    """A subject's written authorization of a named party (DIS-4): scope, purpose and end."""

    id: str
    subject_key: str
    grantee_account_id: int | None
    grantee_org: str | None
    items: frozenset[str]
    purpose: str
    valid_until: date
    revoked: bool = False

    def covers(self, actor: Actor, info: Info, purpose: str | None, today: date) -> bool:
        grantee = (self.grantee_account_id is not None and self.grantee_account_id == actor.account_id) or (
            self.grantee_org is not None and self.grantee_org == actor.org_code
        )
        return (
            grantee
            and not self.revoked
            and self.subject_key == info.subject_key
            and info.item in self.items  # a scope names its items: no blanket authorization (DIS-4)
            and purpose == self.purpose
            and today <= self.valid_until
        )


@dataclass(frozen=True)
class ProviderGrant:
    """A provider's authorization of a credit service agency to receive the items it delivers, until a
    stated day; revocable (CT 53; MKT-3)."""

    id: str
    provider: str
    agency: str
    items: frozenset[str]
    valid_until: date
    revoked: bool = False

    def covers(self, actor: Actor, info: Info, today: date) -> bool:
        return (
            self.agency == actor.org_code
            and self.provider == info.provider
            and info.item in self.items
            and not self.revoked
            and today <= self.valid_until
        )


@dataclass(frozen=True)
class AgencyStanding:
    """What the gate knows of an asking credit service agency: its registry status (only ``active`` is
    given anything) and the providers' authorizations it holds (MKT-3)."""

    status: str | None  # None: not in the registry
    status_label: str
    provider_grants: tuple[ProviderGrant, ...] = ()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str
    reason: str
    mode: Mode | None = None
    logged: bool = False
    purpose: str | None = None
    authorization_id: str | None = None


def _refuse(code: str, reason: str) -> Decision:
    return Decision(False, code, reason)


def decide(
    policy: Policy,
    actor: Actor,
    info: Info,
    *,
    purpose: str | None,
    today: date,
    authorizations: Iterable[Authorization] = (),
    agency: AgencyStanding | None = None,
) -> Decision:
    modes = policy.grades[info.grade].modes
    if "self" in modes and actor.subject_key is not None and actor.subject_key == info.subject_key:
        return Decision(True, "access.self", "信用主体查询本人信息", "self", logged=not info.publicly_visible)
    if info.archived:
        return _refuse("access.archived", "该信息已停止公示或已归档，仅信用主体本人可以查询")
    if actor.org_kind == "agency":
        return _for_agency(actor, info, modes, purpose, today, authorizations, agency)
    if "public" in modes and info.publicly_visible:
        return Decision(True, "access.public", "公开信息", "public")

    # A department first tries government sharing; when that is closed to it, a subject's authorization
    # may still open the information, so the refusal waits until both were tried.
    refusal: Decision | None = None
    shared_roles = actor.roles & set(policy.modes["shared"].roles)
    if "shared" in modes and shared_roles:
        if actor.org_code not in info.shared_with and ALL_DEPARTMENTS not in info.shared_with:
            refusal = _refuse("access.not_shared", "该信息未向本单位共享")
        else:
            try:
                found = policy.purpose(purpose, shared_roles)
            except XinyongError as exc:
                refusal = _refuse(exc.code, exc.message)
            else:
                return Decision(
                    True,
                    "access.shared",
                    f"政务共享，查询目的：{found.label}",
                    "shared",
                    logged=True,
                    purpose=purpose,
                )

    if "authorized" in modes and actor.signed_in:
        for grant in authorizations:
            if grant.covers(actor, info, purpose, today):
                return Decision(
                    True,
                    "access.authorized",
                    f"经信用主体授权（{grant.id}）",
                    "authorized",
                    logged=True,
                    purpose=purpose,
                    authorization_id=grant.id,
                )
    if refusal is not None:
        return refusal
    if "authorized" in modes and actor.signed_in:
        if not purpose:
            return _refuse("access.purpose_required", "查询非公开信息须列明查询目的（purpose）")
        return _refuse("access.no_authorization", "没有信用主体对本查询目的的有效授权")
    if not actor.signed_in:
        return _refuse("access.not_public", "该信息不公开")
    return _refuse("access.not_permitted", "本账号的角色不能查看该级别的信息")


def _for_agency(
    actor: Actor,
    info: Info,
    modes: Iterable[Mode],
    purpose: str | None,
    today: date,
    authorizations: Iterable[Authorization],
    agency: AgencyStanding | None,
) -> Decision:
    """A credit service agency receives information only while registered and active, with both the
    subject's authorization and the delivering provider's (CT 53; MKT-3), public information included."""
    if agency is None or agency.status != "active":
        label = agency.status_label if agency is not None else "未登记"
        return _refuse("access.agency_not_active", f"本信用服务机构{label}，不能获取公共信用信息")
    if "authorized" not in modes:
        return _refuse("access.not_permitted", "本账号的角色不能查看该级别的信息")
    if not purpose:
        return _refuse("access.purpose_required", "查询非公开信息须列明查询目的（purpose）")
    grant = next((g for g in authorizations if g.covers(actor, info, purpose, today)), None)
    if grant is None:
        return _refuse("access.no_authorization", "没有信用主体对本查询目的的有效授权")
    provided = next((g for g in agency.provider_grants if g.covers(actor, info, today)), None)
    if provided is None:
        return _refuse("access.no_provider_authorization", "没有信息提供单位对本机构获取该信息的有效授权")
    return Decision(
        True,
        "access.authorized",
        f"经信用主体授权（{grant.id}）和信息提供单位授权（{provided.id}）",
        "authorized",
        logged=True,
        purpose=purpose,
        authorization_id=grant.id,
    )


ReadAction = Literal["record.read", "archive.read", "report.issue", "check.run", "access_log.read"]


class ReadLog(Protocol):
    """Where the gate writes what it decided; ``access.deps`` provides the real one."""

    def read(
        self,
        decision: Decision,
        info: Info,
        action: ReadAction,
        target_type: str | None,
        target_id: str | None,
    ) -> None: ...

    def refused(self, decision: Decision, info: Info) -> None: ...


@dataclass
class Gate:
    """The gate bound to one request: its actor, stated purpose and day; it logs what it decides."""

    policy: Policy
    actor: Actor
    purpose: str | None
    today: date
    log: ReadLog
    agency: AgencyStanding | None = None  # for an actor of a credit service agency (MKT-3)

    def _decide(self, info: Info, authorizations: Iterable[Authorization]) -> Decision:
        return decide(
            self.policy,
            self.actor,
            info,
            purpose=self.purpose,
            today=self.today,
            authorizations=authorizations,
            agency=self.agency,
        )

    def check(
        self,
        info: Info,
        *,
        action: ReadAction = "record.read",
        target_type: str | None = None,
        target_id: str | None = None,
        authorizations: Iterable[Authorization] = (),
    ) -> Decision:
        """Allow, or log the refusal and raise :class:`Forbidden`; an allowed non-public read is logged."""
        decision = self._decide(info, authorizations)
        if not decision.allowed:
            self.log.refused(decision, info)
            raise Forbidden(
                decision.code, decision.reason, field="purpose" if "purpose" in decision.code else None
            )
        if decision.logged:
            self.log.read(decision, info, action, target_type, target_id)
        return decision

    def allows(
        self,
        info: Info,
        *,
        action: ReadAction = "record.read",
        target_type: str | None = None,
        target_id: str | None = None,
        authorizations: Iterable[Authorization] = (),
    ) -> Decision | None:
        """For listings: the decision when allowed (a non-public read logged), None when not, without a
        refusal entry; what a list leaves out was not asked for by name."""
        decision = self._decide(info, authorizations)
        if not decision.allowed:
            return None
        if decision.logged:
            self.log.read(decision, info, action, target_type, target_id)
        return decision
