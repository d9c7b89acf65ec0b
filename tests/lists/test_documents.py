"""The documents a list procedure serves: the prior notice (LIST-3), the decision (LIST-4), the removal
announcement (LIST-7) and the written apology (LIST-9); each a Chinese PDF whose stored digest verifies it
on the same page and route as a credit report, an altered copy failing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEvent
from xinyong.disclosure import reports
from xinyong.disclosure.pdf import find_font
from xinyong.errors import XinyongError
from xinyong.lists import documents
from xinyong.lists import service as lists
from xinyong.lists.models import ListDocument, ListEntry

from ..conftest import TODAY
from .conftest import ListsWorld

START = TODAY - timedelta(days=60)


def issue(world: ListsWorld, session: Session, entry: ListEntry, kind: str) -> tuple[ListDocument, bytes]:
    data_dir = world.settings.data_dir
    return documents.issue(
        session,
        world.context(TODAY),
        entry,
        kind,
        font=find_font(data_dir),
        key=world.key,
        verify_base="http://testserver",
        data_dir=data_dir,
    )


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The text a reader extracts, without line breaks; page 1 kept as PNG when screenshots are asked for."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        if os.environ.get("XINYONG_REQUIRE_BROWSER"):
            pytest.fail("poppler-utils (pdftotext, pdftoppm) are required")
        pytest.skip("poppler-utils not installed")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    shots = os.environ.get("XINYONG_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*page, str(path), str(Path(shots) / f"list-{name}")], check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


@pytest.mark.req("LIST-3")
def test_the_notice_states_reasons_basis_measures_rights_and_removal(
    lists_world: ListsWorld, tmp_path: Path
) -> None:
    world = lists_world
    with world.transaction() as session:
        ctx = world.context(START)
        entry = lists.propose(
            session,
            ctx,
            list_type="tax-major-violation",
            subject_key=world.company,
            reasons="虚开增值税专用发票",
            org_code=world.org,
        )
        with pytest.raises(XinyongError) as refused:
            issue(world, session, entry, "notice")
        assert refused.value.problem.code == "list.document_not_due"  # no notice served yet
        lists.serve_notice(session, ctx, number=entry.number, org_code=world.org)
        row, pdf = issue(world, session, entry, "notice")
        step = next(s for s in lists.steps_of(session, entry.id) if s.step == "notice")
        logged = session.scalar(select(AuditEvent).where(AuditEvent.target_id == row.number))
    assert re.fullmatch(r"WS\d{8}[0-9A-F]{8}", row.number) and row.kind == "notice"
    assert step.document == row.number
    assert logged is not None and logged.action == "list.document" and logged.subject_key == world.company
    text = pdf_text(pdf, tmp_path, "notice")
    list_type = world.context(TODAY).types.get("tax-major-violation")
    assert "列入严重失信主体名单事先告知书" in text and world.company_name in text
    assert "虚开增值税专用发票" in text  # the reasons
    assert re.sub(r"\s+", "", list_type.legal_basis) in text  # the basis
    for measure in world.context(TODAY).measure_list.for_list_type("tax-major-violation"):
        assert measure.matter in text and re.sub(r"\s+", "", measure.implementing) in text
    assert f"至{entry.defence_until}止" in text and "陈述和申辩" in text and "异议" in text  # the rights
    assert "行政复议" in text and "行政诉讼" in text
    assert re.sub(r"\s+", "", list_type.removal_conditions) in text


@pytest.mark.req("LIST-4")
def test_the_decision_answers_what_was_heard_and_names_measures_term_removal_and_remedies(
    lists_world: ListsWorld, tmp_path: Path
) -> None:
    world = lists_world
    with world.transaction() as session:
        entry = world.blacklist(
            session,
            world.company,
            on=START,
            statement="发票系供应商开具，本公司不知情",
            answer="经核查，该公司财务人员明知发票虚开仍予抵扣，申辩不予采纳",
        )
        row, pdf = issue(world, session, entry, "decision")
        step = next(s for s in lists.steps_of(session, entry.id) if s.step == "decision")
    assert step.document == row.number
    text = pdf_text(pdf, tmp_path, "decision")
    assert "列入严重失信主体名单决定书" in text and "虚开增值税专用发票" in text
    assert "发票系供应商开具，本公司不知情" in text and "申辩不予采纳" in text  # heard and answered
    assert f"有效期至{entry.term_end}" in text and "限制参与招标投标活动" in text
    assert "移出条件和程序" in text
    assert "六十日内依法申请行政复议" in text and "《中华人民共和国行政复议法》第二十条" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text and "《中华人民共和国行政诉讼法》第四十六条" in text


@pytest.mark.req("LIST-9")
def test_a_wrongful_listing_gets_a_written_apology_and_a_correction_notice(
    lists_world: ListsWorld, tmp_path: Path
) -> None:
    world = lists_world
    with world.transaction() as session:
        entry = world.blacklist(session, world.company, on=START)
        with pytest.raises(XinyongError) as refused:
            issue(world, session, entry, "apology")
        assert refused.value.problem.code == "list.document_not_due"  # not (yet) wrongful
        lists.correct_wrongful(
            session,
            world.context(TODAY),
            number=entry.number,
            text="主体识别错误，系同名企业",
            org_code=world.org,
        )
        apology, apology_pdf = issue(world, session, entry, "apology")
        _, notice_pdf = issue(world, session, entry, "removal")
        step = next(s for s in lists.steps_of(session, entry.id) if s.step == "correction")
    assert step.document == apology.number
    text = pdf_text(apology_pdf, tmp_path, "apology")
    assert "书面道歉及澄清函" in text and "认定错误" in text and "主体识别错误，系同名企业" in text
    assert "信用记录已恢复" in text and "撤下" in text and "郑重致歉" in text
    assert f"不属于{world.context(TODAY).types.get('tax-major-violation').name}所列的严重失信主体" in text
    announced = pdf_text(notice_pdf, tmp_path, "correction")
    assert "系认定错误" in announced and "更正" in announced
    assert "虚开增值税专用发票" not in announced  # the wrong listing's reasons are not repeated


@pytest.mark.req("LIST-7", "DATA-3")
def test_a_removal_is_announced_with_its_reason_and_a_person_masked(
    lists_world: ListsWorld, tmp_path: Path
) -> None:
    world = lists_world
    with world.transaction() as session:
        entry = world.blacklist(session, world.person, on=START)
        lists.remove(
            session,
            world.context(TODAY),
            number=entry.number,
            reason="repair",
            text="已补缴税款、滞纳金和罚款",
            org_code=world.org,
        )
        _, pdf = issue(world, session, entry, "removal")
    text = pdf_text(pdf, tmp_path, "removal")
    assert "移出名单公告" in text and "因信用修复" in text and f"于{TODAY}移出" in text
    assert world.person not in text and world.person_name not in text and "王**" in text


@pytest.mark.req("LIST-4")
def test_a_document_verifies_by_number_and_code_and_only_the_subject_downloads_it(
    lists_world: ListsWorld,
) -> None:
    world = lists_world
    with world.transaction() as session:
        entry = world.blacklist(session, world.company, on=START)
        row, pdf = issue(world, session, entry, "decision")
    assert row.digest == hashlib.sha256(pdf).hexdigest()
    assert (world.settings.data_dir / "documents" / f"{row.number}.pdf").read_bytes() == pdf
    code = documents.verification_code(world.key, row.number)
    with world.session() as session:
        found = reports.find(session, key=world.key, number=row.number, code=code.lower())
        assert found is not None and found.title == "列入严重失信主体名单决定书"
        assert reports.matches(found, pdf) and not reports.matches(found, pdf + b"\n")
        assert reports.find(session, key=world.key, number=row.number, code="AAAAAAAAAA") is None
    with world.client() as client:
        checked = client.get(f"/api/v1/reports/{row.number}", params={"code": code}).json()
        assert checked["kind"] == "decision" and checked["digest"] == row.digest
        assert checked["subject"]["code"] == world.company
        altered = pdf.replace(b"/Creator", b"/Creatox", 1)
        for content, same in ((pdf, True), (altered, False)):
            answer = client.post(
                f"/api/v1/reports/{row.number}/verify",
                data={"code": code},
                files={"file": ("d.pdf", content)},
            )
            assert answer.json()["file_matches"] is same
        page = client.get(f"/verify/{row.number}", params={"code": code})
        assert page.status_code == 200 and "是本平台出具的列入严重失信主体名单决定书" in page.text
        assert "作出日期" in page.text
        path = f"/me/lists/documents/{row.number}"
        assert client.get(path).status_code == 401
        assert client.get(path, headers=world.headers).status_code == 403  # a department: not its own
        client.cookies.set("xinyong_session", world.signed_in(world.company, world.company_name))
        own = client.get(path)
        assert own.status_code == 200 and own.content == pdf
        archive = client.get("/me")
        assert f'href="{path}"' in archive.text and "列入严重失信主体名单决定书" in archive.text
