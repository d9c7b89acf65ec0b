"""Every API operation, fuzzed from its own OpenAPI document with a fixed, deterministic budget (SEC-4).

Each case is sent with the credentials of a role that holds the operation's permission (an operator
administrator's token, a department token with the provider, determining and user-department roles, an
agency's, a collector's, or a subject's session), so generated input reaches the handlers instead of
stopping at 401. Checks: no 5xx, responses match the schema, and every error is in the one error format.

The budget is ``XINYONG_FUZZ_EXAMPLES`` cases per operation (default 10); the last test asserts that at
least :data:`MINIMUM_CASES` were sent, so the budget cannot silently shrink. Hypothesis is derandomized:
the same code gets the same cases, in CI and on a laptop.

The app is built at import because schemathesis reads the schema while pytest collects. It runs on its own
SQLite file, never on ``XINYONG_TEST_DATABASE_URL``: the API contract does not depend on the database
engine, and the engine-specific paths are covered by the module tests that run on both.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from pydantic import TypeAdapter, ValidationError
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.deps import Permission
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings
from xinyong.web.app import create_app
from xinyong.web.errors import ErrorOut
from xinyong.web.routes import operations

from ..conftest import CapturingVerifier

EXAMPLES = int(os.environ.get("XINYONG_FUZZ_EXAMPLES", "10"))
MINIMUM_CASES = 1000
REQUEST_TIMEOUT_SECONDS = 120
"""Conformance, not speed, is checked here: a batch of 10,000 refused rows takes two seconds on a quiet
machine and more than schemathesis's default ten beside a second test run."""

_folder = tempfile.TemporaryDirectory(prefix="xinyong-fuzz-")
_settings = Settings(
    database_url=f"sqlite:///{Path(_folder.name) / 'fuzz.db'}",
    data_dir=Path(_folder.name) / "var",
    fixed_date=date(2026, 11, 23),
)
_engine = make_engine(_settings.database_url)
initialise(_engine, _settings)
_app = create_app(_settings)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)

# Each role that may call the API, with the organisation kind its account belongs to; the first that holds
# an operation's permission calls it. The department account holds three roles so that one token reaches
# every provider-, determining- and user-department-only route.
CALLERS = {
    "fuzz-admin": ("operator", ["operator_admin"]),
    "fuzz-dept": ("provider", ["provider", "determining", "user_department"]),
    "fuzz-agency": ("agency", ["agency"]),
    "fuzz-collector": ("collector", ["collector"]),
}
SUBJECT = "91110000802100433B"


def _callers() -> tuple[dict[str, dict[str, str]], set[int], dict[str, str]]:
    """(headers per caller, ids of their tokens, the subject's session cookie)."""
    rules = policy()
    actor = system_actor(rules)
    now = _settings.clock.now()
    key = secret_key(_settings.data_dir.resolve())
    headers, ids = {}, set()
    with transaction(session_factory(_engine)) as session:
        for username, (kind, roles) in CALLERS.items():
            org = access.OPERATOR_CODE
            if kind != "operator":
                org = username
                access.create_org(session, by=actor, now=now, code=org, name="模糊测试单位", kind=kind)
            access.create_account(
                session,
                by=actor,
                policy=rules,
                now=now,
                org_code=org,
                username=username,
                display_name="模糊测试",
                roles=roles,
                client=True,
            )
            issued = access.create_token(
                session,
                by=actor,
                key=key,
                now=now,
                username=username,
                name="模糊测试",
                expires_at=now + timedelta(days=30),
            )
            session.flush()
            headers[username] = {"Authorization": f"Bearer {issued.value}"}
            ids.add(issued.token.id)
        verifier = CapturingVerifier()
        challenge = access.start_identity_check(
            session, key=key, verifier=verifier, now=now, code=SUBJECT, name="某某有限公司"
        )
        account = access.finish_identity_check(
            session, key=key, policy=rules, now=now, challenge_id=challenge, code=verifier.sent[-1][1]
        )
        assert account is not None
        cookie = access.start_session(session, key=key, policy=rules, account=account, now=now)
    return headers, ids, {"xinyong_session": cookie}


HEADERS, OWN_TOKENS, SUBJECT_COOKIES = _callers()


def _caller_of(permission: str) -> str | None:
    """The first caller holding ``permission``; ``None`` when only a subject (or the public) holds it."""
    rules = policy()
    for username, (_, roles) in CALLERS.items():
        if permission in rules.permissions(frozenset(roles)):
            return username
    return None


PERMISSIONS = {
    (method, path): next(d.call.name for d in route.dependant.dependencies if isinstance(d.call, Permission))
    for method, path, route in operations(_app)
    if route.include_in_schema and path.startswith("/api/")
}
SENT: Counter[str] = Counter()


def _own_token(case: schemathesis.Case[Any]) -> bool:
    """Whether the case names one of the run's tokens, read from the URL as the app reads it."""
    if case.path_parameters is None or "token_id" not in case.path_parameters:
        return False
    try:
        return TypeAdapter(int).validate_python(str(case.path_parameters["token_id"])) in OWN_TOKENS
    except ValidationError:
        return False


def one_error_format(ctx: CheckContext, response: Response, case: schemathesis.Case[Any]) -> bool | None:
    """Every 4xx and 5xx answer is ``{"error": {"code", "message", "field", "row"}}``, its message Chinese."""
    if response.status_code < 400:
        return None
    body = ErrorOut.model_validate_json(response.content)
    assert body.error.code, "the error has no code"
    assert any("\u4e00" <= c <= "\u9fff" for c in body.error.message), f"not Chinese: {body.error.message!r}"
    return True


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@pytest.mark.req("SEC-4")
def test_api_conforms_to_its_schema(case: schemathesis.Case[Any]) -> None:
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    permission = PERMISSIONS.get((case.operation.method.upper(), case.operation.path), "public.read")
    caller = _caller_of(permission)
    if _own_token(case):
        case.path_parameters["token_id"] = 2**31 - 1  # revoking the run's own tokens would end it early
    SENT[operation] += 1
    response = case.call_and_validate(
        headers=HEADERS[caller] if caller else None,
        cookies=None if caller else SUBJECT_COOKIES,
        additional_checks=[one_error_format],
        # A well-formed but wrong code (bad check character, impossible birth date) is refused with 422 by
        # design, so "schema-valid input must be accepted" does not hold for this API; every other check does.
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    if caller:
        assert response.status_code != 401, f"{operation}: the {caller} token stopped working"


@pytest.mark.req("SEC-4")
def test_the_fuzz_budget_was_spent() -> None:
    """Runs after the fuzz cases (pytest keeps a module's order); skipped when they were deselected."""
    missing = {f"{m} {p}" for m, p in PERMISSIONS} - set(SENT)
    if missing:
        pytest.skip(f"{len(missing)} operations were not fuzzed in this run (deselected)")
    assert sum(SENT.values()) >= MINIMUM_CASES, f"only {sum(SENT.values())} cases: {SENT.most_common()}"
