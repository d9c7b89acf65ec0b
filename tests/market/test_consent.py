"""Market credit information is received only under the subject's consent: one collector, named kinds of
information, one use, the subject told its rights, an end date; no forced or bundled consent; revocable
(MKT-1; JN 16; LN 13, 14; CT 19)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.db.engine import session_factory, transaction
from xinyong.errors import XinyongError
from xinyong.evidence import MEDIA_TYPES
from xinyong.market import service
from xinyong.market.models import Consent
from xinyong.market.schema import options
from xinyong.records import ingest
from xinyong.records.models import Record

from ..conftest import TODAY
from .conftest import NEXT_MONTH, SYSTEM, Market, consent, fresh_company, market_row, profile_of

PDF = b"%PDF-1.4\n% signed consent\n"
assert PDF.startswith(next(iter(MEDIA_TYPES)))
ALL_TOLD = list(options().told)


def upload(market: Market, subject: str, **fields: Any) -> Any:
    """A collector records a consent with the signed document; the API's answer."""
    data: dict[str, Any] = {
        "subject": subject,
        "kinds": ["contract", "payment"],
        "method": "written",
        "use": "credit_rating",
        "told": ALL_TOLD,
        "valid_until": NEXT_MONTH.isoformat(),
    } | fields
    files = {"document": ("同意书.pdf", PDF, "application/pdf")} if "no_document" not in fields else None
    data.pop("no_document", None)
    with market.client() as client:
        return client.post(
            "/api/v1/market/consents", headers=market.bearer(market.collector), data=data, files=files
        )


@pytest.mark.req("MKT-1")
def test_a_collector_records_a_consent_with_the_signed_document_and_the_subject_sees_it(
    market: Market,
) -> None:
    answer = upload(market, market.company)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["collector"] == market.collector and made["recorded_by"] == "collector"
    assert made["kinds"] == ["contract", "payment"] and made["use"] == "credit_rating"
    assert made["told"] == ALL_TOLD and made["document"] == "同意书.pdf"
    with market.client() as client:
        client.cookies.set("xinyong_session", market.cookie)
        mine = client.get("/api/v1/me/consents").json()
        document = client.get(f"/me/market/consents/{made['number']}/document")
    assert made["number"] in [c["number"] for c in mine]
    assert document.status_code == 200 and document.content == PDF


@pytest.mark.req("MKT-1")
def test_a_collector_without_the_signed_document_is_refused(market: Market) -> None:
    answer = upload(market, market.company, no_document=True)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "document"


@pytest.mark.req("MKT-1")
@pytest.mark.parametrize(
    ("fields", "code", "field", "says"),
    [
        ({"service_conditional": "true"}, "market.consent_bundled", "service_conditional", "捆绑"),
        (
            {"kinds": list(options().kinds)},
            "market.consent_kinds",
            "kinds",
            "不得涵盖全部信息种类",
        ),
        ({"kinds": ["everything"]}, "market.consent_kinds", "kinds", "信息种类"),
        ({"use": "any"}, "market.consent_use", "use", "一项信息用途"),
        ({"method": "phone"}, "market.consent_method", "method", "采集方式"),
        (
            {"told": [t for t in ALL_TOLD if t != "objection"]},
            "market.consent_told",
            "told",
            "提出异议的权利",
        ),
        (
            {"valid_until": (TODAY + timedelta(days=367)).isoformat()},
            "market.consent_valid_until",
            "valid_until",
            "2027-11-23",
        ),
        (
            {"valid_until": (TODAY - timedelta(days=1)).isoformat()},
            "market.consent_valid_until",
            "valid_until",
            "之间",
        ),
        ({"subject": "91370100MA0000000A"}, "uscc.checksum", "subject", "校验码"),
    ],
)
def test_forced_bundled_blanket_or_endless_consents_are_refused(
    market: Market, fields: dict[str, Any], code: str, field: str, says: str
) -> None:
    given = {"subject": fresh_company()} | fields
    answer = upload(market, given.pop("subject"), **given)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert says in error["message"]


@pytest.mark.req("MKT-1")
def test_only_agencies_and_collectors_collect(market: Market) -> None:
    with pytest.raises(XinyongError) as refused, transaction(session_factory(market.engine)) as session:
        service.give(
            session,
            subject_key=market.company,
            form=service.ConsentForm(
                market.provider, ["honour"], "online", "credit_report", ALL_TOLD, NEXT_MONTH, False
            ),
            document=None,
            data_dir=market.settings.data_dir,
            profile=profile_of(market),
            actor=SYSTEM,
            now=market.settings.clock.now(),
            today=TODAY,
        )
    assert refused.value.code == "market.collector"


def submit(
    market: Market, rows: list[dict[str, str]], *, collector: str | None = None, on: Any = TODAY
) -> Any:
    with market.client(on) as client:
        answer = client.post(
            "/api/v1/market/records",
            headers=market.bearer(collector or market.collector),
            json={"records": rows},
        )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.req("MKT-1")
def test_information_under_a_consent_becomes_a_record_that_carries_it_and_is_not_public(
    market: Market,
) -> None:
    subject = fresh_company()
    number = consent(market, subject=subject)
    answer = submit(market, [market_row(subject, number)])
    assert (answer["accepted"], answer["rejected"]) == (1, 0), answer["rejects"]
    with market.session() as session:
        record = session.scalars(select(Record).where(Record.subject_key == subject)).one()
    assert (record.item_code, record.provider, record.route) == ("market-info", market.collector, "market")
    assert json.loads(record.data)["consent"] == number and not record.published
    with market.client() as client:
        assert client.get(f"/api/v1/subjects/{subject}/records").json()["records"] == []  # not public


@pytest.mark.req("MKT-1")
def test_rows_without_or_outside_a_consent_are_refused_by_row_and_good_rows_kept(market: Market) -> None:
    subject, stranger = fresh_company(), fresh_company()
    number = consent(market, subject=subject)
    theirs = consent(market, subject=subject, collector=market.other_collector)
    rows = [
        market_row(subject, number),
        market_row(subject, "", content="没有同意书编号"),
        market_row(subject, theirs, content="另一采集单位的同意"),
        market_row(stranger, number, subject_name="他人有限公司"),
        market_row(subject, number, kind="投诉处理"),
        market_row(subject, number, use="信用评级"),
        market_row(subject, "TY20260101NOSUCH"),
    ]
    answer = submit(market, rows)
    assert (answer["accepted"], answer["rejected"]) == (1, 6)
    refused = {(r["row"], r["code"], r["field"]) for r in answer["rejects"]}
    assert {
        (2, "market.no_consent", "consent"),
        (3, "market.no_consent", "consent"),
        (4, "market.consent_subject", "consent"),
        (5, "market.consent_content", "kind"),
        (6, "market.consent_use", "use"),
        (7, "market.no_consent", "consent"),
    } <= refused
    messages = {(r["row"], r["code"]): r["message"] for r in answer["rejects"]}
    assert (
        messages[2, "market.no_consent"].startswith("第 2 行")
        and "须经信用主体同意" in messages[2, "market.no_consent"]
    )
    assert (
        "不在同意书" in messages[5, "market.consent_content"]
        and "合同履约" in messages[5, "market.consent_content"]
    )


@pytest.mark.req("MKT-1")
def test_a_revoked_consent_refuses_what_follows_and_keeps_what_came_before_open_to_objection(
    market: Market,
) -> None:
    subject = market.company
    number = consent(market, subject=subject)
    first = submit(market, [market_row(subject, number, content="撤回前报送的信息")])
    assert first["accepted"] == 1
    with market.client() as client:
        client.cookies.set("xinyong_session", market.cookie)
        page = client.get("/me/market")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        revoked = client.post(
            f"/me/market/consents/{number}/revoke", data={"csrf_token": token}, follow_redirects=False
        )
        assert revoked.status_code == 303
        after = client.get("/me/market").text
        objection = client.get("/me/objections/new").text
    later = submit(market, [market_row(subject, number, content="撤回后报送的信息")])
    assert later["accepted"] == 0 and later["rejects"][0]["code"] == "market.consent_revoked"
    with market.session() as session:
        stored = session.scalars(
            select(Record).where(Record.subject_key == subject, Record.item_code == "market-info")
        ).all()
        row = session.scalars(select(Consent).where(Consent.number == number)).one()
    assert row.revoked_at is not None
    kept = [r for r in stored if "撤回前报送的信息" in r.data]
    assert len(kept) == 1 and kept[0].state == "active"
    assert not any("撤回后报送的信息" in r.data for r in stored)
    assert "已撤回" in after and "撤回前报送的信息" in after
    assert f"记录 {kept[0].id}" in objection  # the subject may object to what was collected


@pytest.mark.req("MKT-1")
def test_an_expired_consent_refuses_rows_after_its_last_day(market: Market) -> None:
    subject = fresh_company()
    number = consent(market, subject=subject, valid_until=TODAY)
    assert submit(market, [market_row(subject, number)])["accepted"] == 1
    late = submit(market, [market_row(subject, number, content="到期后")], on=TODAY + timedelta(days=1))
    assert late["accepted"] == 0
    assert (late["rejects"][0]["code"], late["rejects"][0]["row"]) == ("market.consent_expired", 1)
    assert TODAY.isoformat() in late["rejects"][0]["message"]


@pytest.mark.req("MKT-1")
def test_market_information_cannot_bypass_the_consent_check(market: Market) -> None:
    delivery = ingest.Delivery(provider=market.collector, item_code="market-info", route="file", actor=SYSTEM)
    with market.session() as session, pytest.raises(XinyongError) as refused:
        ingest.resolve(session, delivery, TODAY)
    assert refused.value.code == "record.market_route"


@pytest.mark.req("MKT-1")
def test_the_market_catalog_is_published_apart_from_public_credit_information(market: Market) -> None:
    with market.client() as client:
        page = client.get("/catalog").text
        items = {i["item"]["code"]: i for i in client.get("/api/v1/catalog").json()}
    public_part, market_part = page.split('<section class="panel" id="market">')
    assert 'id="admin-penalty"' in public_part and 'id="market-info"' in market_part
    assert 'id="self-declared"' in market_part
    assert (
        items["market-info"]["item"]["disclosure"] == "authorized"
        and items["market-info"]["scope"] == "market"
    )
