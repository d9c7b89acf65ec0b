"""The client example of docs/integration.md against a served platform (DIS-9): a business system verifies
a code, checks a bidder, takes the certificate and verifies it, and reads records for a stated purpose."""

from __future__ import annotations

import importlib.util
import secrets
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine

from xinyong.access.security import secret_key
from xinyong.db.engine import session_factory, transaction
from xinyong.disclosure.reports import verification_code
from xinyong.settings import Settings

from ..conftest import org_with_token, uscc_code
from ..live import served
from ..records.conftest import penalty

EXAMPLE = Path(__file__).parents[2] / "examples" / "xinyong_client.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xinyong_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.req("DIS-9")
def test_the_client_example_checks_certifies_verifies_and_queries(settings: Settings, engine: Engine) -> None:
    key = secret_key(settings.data_dir.resolve())
    tag = secrets.token_hex(3)
    with transaction(session_factory(engine)) as session:
        tokens = {
            role: org_with_token(
                session, code=f"{role[:4]}-{tag}", kind=kind, role=role, key=key, now=settings.clock.now()
            )
            for kind, role in (("provider", "provider"), ("user", "user_department"))
        }
    company, name = uscc_code(7_000_000 + secrets.randbelow(1_000_000)), f"对接测试{tag}有限公司"
    client_module = _example()
    with served(settings) as base:
        provider = client_module.Client(base, token=tokens["provider"])
        pushed = provider._json(
            "POST",
            "/api/v1/records",
            body={
                "item": "admin-penalty",
                "severity": "general",
                "records": [penalty(f"对接罚〔2026〕{tag}号", subject_name=name, uscc=company)],
            },
        )
        assert pushed["accepted"] == 1, pushed
        system = client_module.Client(base, token=tokens["user_department"])
        assert system.identifier(company)["valid"] is True
        answer = system.check([company, "91370100MA3C8R1X5X"], scenario="bidding", purpose="bidding")
        (result,) = answer["results"]
        assert (result["code"], result["verdict"], result["negative_records"]) == (company, "warn", 1)
        assert answer["errors"][0]["row"] == 2  # the bad code is reported by its row
        pdf = system.certificate(answer["number"])
        assert pdf.startswith(b"%PDF-")
        number = answer["number"]
        verified = system.verify_file(number, verification_code(key, number), pdf)
        assert verified["number"] == number
        records = system.records(company, purpose="bidding")
        assert [r["item"] for r in records["records"]] == ["admin-penalty"]
        with pytest.raises(client_module.ApiError) as refused:
            system.check([], scenario="bidding", purpose="bidding")
        assert (refused.value.status, refused.value.code, refused.value.field) == (
            422,
            "request.too_short",
            "codes",
        )
        assert refused.value.message  # the Chinese explanation travels with the code
