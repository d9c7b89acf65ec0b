"""The authorization matrix: every API route × every role, as the permission data says (SEC-3).

The routes come from the app's route table, so a new route without a declared permission fails here.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xinyong.access.deps import SAFE_METHODS, CreditReader, Permission
from xinyong.access.policy import policy
from xinyong.settings import Settings
from xinyong.web.app import create_app
from xinyong.web.routes import operations

from .conftest import ROLES, World, credentials

SAMPLE_PATH_VALUES = {
    "username": "nobody-here",
    "token_id": "999999",
    "day": "2026-10-10",
    "job_id": "999999",
    "record_id": "999999",
    "task_id": "999999",
    "number": "XY20261123DEADBEEF",
    "message_id": "999999",
    "run_id": "999999",  # evaluation
    # government integrity
    "entry_id": "999999",
    "obligation_id": "999999",
    "region": "999999",
    "year": "2025",
}


def api_routes(settings: Settings) -> list[tuple[str, str, Permission]]:
    found = []
    for method, path, route in operations(create_app(settings)):
        if not path.startswith("/api/v1/"):
            continue
        permissions = [d.call for d in route.dependant.dependencies if isinstance(d.call, Permission)]
        assert len(permissions) == 1, (
            f"{method} {path} must declare exactly one permission, has {permissions}"
        )
        found.append((method, path, permissions[0]))
    return found


@pytest.mark.req("SEC-3")
def test_every_api_route_names_a_permission_the_policy_knows(settings: Settings) -> None:
    routes = api_routes(settings)
    assert any(path.startswith("/api/v1/") for _, path, _ in routes)
    known = policy().all_permissions()
    unknown = sorted({p.name for _, _, p in routes} - known)
    assert unknown == [], f"routes name permissions no role holds: {unknown}"


# Routes known not to read any subject's credit information. A new API route is either a CreditReader or
# added here on purpose: nobody adds a read that bypasses the gate by accident.
NOT_CREDIT_READS = {
    "GET /api/v1/reports/{number}",  # a report's number, kind, date and digest, for whoever holds its code
    "POST /api/v1/reports/{number}/verify",
    "GET /api/v1/subjects",
    "GET /api/v1/authorizations",
    "POST /api/v1/records/{record_id}/withdraw",
    "GET /api/v1/identifiers/{code}",
    "GET /api/v1/calendar/working-days",
    "GET /api/v1/calendar/days/{day}",
    "GET /api/v1/profile",
    "GET /api/v1/me",
    "GET /api/v1/purposes",
    "GET /api/v1/orgs",
    "POST /api/v1/orgs",
    "GET /api/v1/accounts",
    "POST /api/v1/accounts",
    "PATCH /api/v1/accounts/{username}",
    "GET /api/v1/tokens",
    "POST /api/v1/tokens",
    "DELETE /api/v1/tokens/{token_id}",
    "GET /api/v1/audit/events",
    "POST /api/v1/audit/verify",
    "GET /api/v1/catalog",
    "POST /api/v1/records",
    "POST /api/v1/imports",
    "GET /api/v1/imports/{job_id}",
    "GET /api/v1/imports/{job_id}/rejects",
    # List procedures: the determining department's own cases and the subject's own hearing; list
    # memberships are published information, never record content.
    "POST /api/v1/lists/entries",
    "POST /api/v1/lists/red",
    "POST /api/v1/lists/entries/{number}/notice",
    "POST /api/v1/lists/entries/{number}/decision",
    "POST /api/v1/lists/entries/{number}/confirm",
    "POST /api/v1/lists/entries/{number}/removal",
    "POST /api/v1/lists/entries/{number}/correction",
    "POST /api/v1/lists/entries/{number}/statements",
    "GET /api/v1/lists/entries/{number}",
    "GET /api/v1/rp-tasks",  # an implementing department's own tasks
    "POST /api/v1/rp-tasks/{task_id}",
    "GET /api/v1/rp-stats",
    "GET /api/v1/outbox",  # a department's own messages: notices and tasks the platform sends it
    "POST /api/v1/outbox/{message_id}/ack",
    "GET /api/v1/outbox/dead",
    "POST /api/v1/outbox/{message_id}/retry",
    "PUT /api/v1/orgs/{code}/webhook",
    "DELETE /api/v1/orgs/{code}/webhook",
    # Credit checks: list memberships (public), the measure list and counts of public negative records,
    # never a record's content; a department reads only its own check log.
    "POST /api/v1/checks",
    "POST /api/v1/checks/upload",
    "GET /api/v1/checks",
    "GET /api/v1/checks/{number}/results",
    "POST /api/v1/checks/{number}/certificate",
    # The case dashboard: due dates of an organisation's own case steps, no record content.
    "GET /api/v1/deadlines",
    # Objection cases: the applicant's own case, the operator's handling and the provider's verification;
    # they name the record or entry, never show its content.
    "POST /api/v1/objections",
    "GET /api/v1/objections",
    "GET /api/v1/objections/{number}",
    "POST /api/v1/objections/{number}/evidence",
    "POST /api/v1/objections/{number}/referral",
    "POST /api/v1/objections/{number}/reply",
    "POST /api/v1/objections/{number}/decision",
    "POST /api/v1/objections/{number}/pause",
    "POST /api/v1/objections/{number}/resume",
    "POST /api/v1/objections/{number}/appeals",
    # Repair cases and interviews: the applicant's own case, the provider's cases on its own records, the
    # operator's queue; the publicity shows what the provider published, persons masked.
    "GET /api/v1/repairs/publicity",
    "POST /api/v1/repairs",
    "GET /api/v1/repairs",
    "GET /api/v1/repairs/{number}",
    "GET /api/v1/repairs/{number}/decision",
    "POST /api/v1/repairs/{number}/opinion",
    "POST /api/v1/repairs/{number}/objections",
    "POST /api/v1/repairs/{number}/verification",
    "POST /api/v1/repairs/{number}/refusal",
    "POST /api/v1/interviews",
    "GET /api/v1/interviews",
    # Record procedures: a provider's own revocation notices (the operator's queue), the subject's own
    # deletion request; the list of commitment matters and a department's finding on a commitment it
    # accepted, never another subject's record content.
    "POST /api/v1/revocations",
    "GET /api/v1/revocations",
    "GET /api/v1/revocations/{number}",
    "POST /api/v1/revocations/{number}/apply",
    "POST /api/v1/records/{record_id}/deletion",
    "GET /api/v1/commitments/matters",
    "POST /api/v1/commitments/{record_id}/fulfilment",
    # Evaluation: the published model; the operator's runs, their logged export and inspection plans
    # (grades for supervision, never a record's content). A subject's own grade goes through the gate.
    "GET /api/v1/evaluation/model",
    "GET /api/v1/evaluation/runs",
    "POST /api/v1/evaluation/runs",
    "GET /api/v1/evaluation/runs/{run_id}/export",
    "POST /api/v1/inspections",
    "GET /api/v1/inspections",
    "GET /api/v1/inspections/{number}",
    # Tips and complaints (tips): what the public reports about a subject and the handling of it, never
    # record content; the reporter only to the department the tip is routed to, each read audited.
    "GET /api/v1/tips/categories",
    "POST /api/v1/tips",
    "POST /api/v1/tips/{number}/tracking",
    "POST /api/v1/tips/{number}/tracking/document",
    "GET /api/v1/tips",
    "GET /api/v1/tips/{number}",
    "GET /api/v1/tips/{number}/reporter",
    "POST /api/v1/tips/{number}/routing",
    "POST /api/v1/tips/{number}/acceptance",
    "POST /api/v1/tips/{number}/refusal",
    "POST /api/v1/tips/{number}/answer",
    # Government integrity: the operator's management of archives, commitments, regions and evaluations;
    # a department's delivery of government dishonesty (through ingestion) and exemptions of its own records;
    # the published commitments (persons masked) and the regional evaluation. Archives are read through the
    # gate (GET .../bodies/{code}, GET .../civil-servants/{code}).
    "POST /api/v1/government/bodies",
    "POST /api/v1/government/civil-servants",
    "POST /api/v1/government/archive-entries",
    "POST /api/v1/government/archive-entries/{entry_id}/correction",
    "POST /api/v1/government/dishonesty",
    "POST /api/v1/government/dishonesty/{record_id}/exemption",
    "POST /api/v1/government/commitments",
    "GET /api/v1/government/commitments",
    "GET /api/v1/government/commitments/{number}",
    "POST /api/v1/government/commitments/{number}/changes",
    "POST /api/v1/government/obligations/{obligation_id}/fulfilment",
    "POST /api/v1/government/obligations/{obligation_id}/breach",
    "POST /api/v1/government/regions",
    "PUT /api/v1/government/regions/{region}/debt/{year}",
    "POST /api/v1/government/evaluations",
    "GET /api/v1/government/evaluation",
    # Market (market module): consents name a collector, kinds and a use, never record content; a
    # submission only writes; the agency registry is public; a provider sees its own grants to agencies.
    "POST /api/v1/market/consents",
    "GET /api/v1/market/consents",
    "POST /api/v1/market/records",
    "GET /api/v1/me/consents",
    "GET /api/v1/agencies",
    "POST /api/v1/agencies",
    "POST /api/v1/agencies/{code}/status",
    "GET /api/v1/agencies/grants",
    "POST /api/v1/agencies/grants",
    "POST /api/v1/agencies/grants/{number}/revoke",
    # Statistics (reports module): aggregates per organisation for the operator, no record content.
    "GET /api/v1/statistics/providers",
    "GET /api/v1/statistics/timeliness",
    "GET /api/v1/statistics/silent",
    "GET /api/v1/statistics/departments",
    "GET /api/v1/statistics/rp",
    "GET /api/v1/statistics/cases",
    # Exchange (exchange module): receiving a package only writes, through the ingestion path; the
    # watermarks are version numbers, no subject's information.
    "POST /api/v1/exchange/packages",
    "GET /api/v1/exchange/watermarks",
}


@pytest.mark.req("SEC-3")
def test_every_route_reads_credit_information_through_the_gate_or_is_known_not_to(settings: Settings) -> None:
    reads = set(policy().reads.permissions)
    for method, path, permission in api_routes(settings):
        route = f"{method} {path}"
        if isinstance(permission, CreditReader):
            assert route not in NOT_CREDIT_READS, f"{route} is listed as not reading credit data"
            continue
        assert permission.name not in reads, f"{route} holds {permission.name} but skips the gate"
        assert route in NOT_CREDIT_READS, f"{route}: read credit data through CreditReader, or list it here"


def _route_table() -> dict[str, Permission]:
    """The matrix's rows, read from the route table while pytest collects."""
    with tempfile.TemporaryDirectory() as folder:
        routes = api_routes(Settings(database_url=f"sqlite:///{folder}/routes.db", data_dir=Path(folder)))
    return {f"{method} {path}": permission for method, path, permission in routes}


ROUTES = _route_table()


@pytest.mark.req("SEC-3")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_matrix(world: World, app_client: TestClient, route: str, role: str) -> None:
    method, path = route.split(" ", 1)
    permission = ROUTES[route]
    values = SAMPLE_PATH_VALUES | {"code": world.subject_key}
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    headers, cookies = credentials(world, role)
    app_client.cookies.clear()
    for name, value in cookies.items():
        app_client.cookies.set(name, value)
    body: dict[str, object] | None = {} if method in ("POST", "PATCH", "PUT") else None
    response = app_client.request(method, url, headers=headers, json=body)
    holds = permission.name in policy().permissions(frozenset({role}))
    # A session cookie counts for safe methods only: API writes need a Bearer token.
    signed_in = role != "public" and (role != "subject" or method in SAFE_METHODS)
    if (holds and signed_in) or permission.name == "public.read":
        assert response.status_code not in (401, 403), response.text
    elif not signed_in:
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "auth.required"
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "access.forbidden"
