"""Credit reports: the subject's own and the public version as PDF in Chinese, verifiable by number and code,
an altered file or a made-up number failing; the special report per domain and period (DIS-7, DIS-10)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from xinyong.audit import service as audit
from xinyong.db.engine import session_factory

from .conftest import COMPANY, PERSON, Portal


@pytest.fixture
def as_subject(portal: Portal, client: TestClient) -> Iterator[TestClient]:
    client.cookies.set("xinyong_session", portal.subject_cookie)
    yield client
    client.cookies.clear()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The report's text as a reader extracts it, and its first page rendered: it must not be blank."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        if os.environ.get("XINYONG_REQUIRE_BROWSER"):
            pytest.fail("poppler-utils (pdftotext, pdftoppm) are required")
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    page = next(tmp_path.glob("page*.png"))
    shots = os.environ.get("XINYONG_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(page, Path(shots) / f"report-{hashlib.sha1(pdf).hexdigest()[:6]}.png")
    with Image.open(page) as image:
        histogram = image.convert("L").histogram()
    dark = sum(histogram[:128])
    assert dark > 2000, "the first page is blank"
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def number_and_code(text: str) -> tuple[str, str]:
    number = re.search(r"报告编号\s+(XY\d{8}[0-9A-F]{8})", text)
    code = re.search(r"验证码\s+([A-Z2-7]{10})", text)
    assert number and code, text
    return number.group(1), code.group(1)


@pytest.mark.req("DIS-7")
def test_the_subject_gets_its_whole_report_and_anyone_can_verify_it(
    portal: Portal, as_subject: TestClient, tmp_path: Path
) -> None:
    response = as_subject.get(f"/api/v1/subjects/{COMPANY}/report", params={"kind": "subject"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.content
    text = pdf_text(pdf, tmp_path)
    assert "信用报告（本人版）" in text and "华信科技（济南）有限公司" in text
    assert (
        "行政处罚信息" in text and "现场检查结果" in text and "消防通道堵塞" in text
    )  # non-public items too
    assert "第1版" in text and "归集（导入批次" in text  # every version with its reason
    number, code = number_and_code(text)
    assert number == response.headers["x-report-number"]
    as_subject.cookies.clear()
    checked = as_subject.get(f"/api/v1/reports/{number}", params={"code": code}).json()
    assert checked["digest"] == hashlib.sha256(pdf).hexdigest() and checked["kind"] == "subject"
    same = as_subject.post(
        f"/api/v1/reports/{number}/verify", data={"code": code}, files={"file": ("r.pdf", pdf)}
    )
    assert same.json()["file_matches"] is True
    altered = pdf.replace(b"/Creator", b"/Creatox", 1)
    changed = as_subject.post(
        f"/api/v1/reports/{number}/verify", data={"code": code}, files={"file": ("r.pdf", altered)}
    )
    assert changed.json()["file_matches"] is False
    for wrong_number, wrong_code in ((number, "AAAAAAAAAA"), ("XY20261123DEADBEEF", code)):
        refused = as_subject.get(f"/api/v1/reports/{wrong_number}", params={"code": wrong_code})
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "report.not_found"
    wide = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})  # typed with a Chinese input method
    assert as_subject.get(f"/api/v1/reports/{number}", params={"code": wide}).status_code == 200
    assert as_subject.get(f"/verify/{number}%00", params={"code": code}).status_code == 404
    page = as_subject.get(f"/verify/{number}", params={"code": code})
    assert page.status_code == 200 and "是本平台出具的信用报告（本人版）" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf_token": token.group(1), "code": code}
    upload = as_subject.post(f"/verify/{number}", data=form, files={"file": ("r.pdf", altered)})
    assert upload.status_code == 200 and "不一致" in upload.text
    genuine = as_subject.post(f"/verify/{number}", data=form, files={"file": ("r.pdf", pdf)})
    assert genuine.status_code == 200 and "完全一致" in genuine.text
    assert as_subject.get(f"/verify/{number}", params={"code": "AAAAAAAAAA"}).status_code == 404
    with session_factory(portal.engine)() as session:
        log = audit.access_log(session, subject_key=COMPANY, limit=100)
    assert any(e.action == "report.issue" for e in log)


@pytest.mark.req("DIS-7", "DATA-3")
def test_the_public_version_holds_public_items_only_with_persons_masked(
    portal: Portal, client: TestClient, tmp_path: Path
) -> None:
    headers = portal.bearer(portal.dept)
    company = client.get(f"/api/v1/subjects/{COMPANY}/report", headers=headers)
    assert company.status_code == 200
    text = pdf_text(company.content, tmp_path)
    assert "信用报告（公开信息版）" in text and "行政处罚信息" in text and "消防通道堵塞" not in text
    person = client.get(f"/api/v1/subjects/{PERSON}/report", headers=headers)
    (tmp_path / "p").mkdir()
    person_text = pdf_text(person.content, tmp_path / "p")
    assert PERSON not in person_text and "张三丰" not in person_text and "张**" in person_text
    anonymous = client.get(f"/api/v1/subjects/{COMPANY}/report")
    assert anonymous.status_code == 401
    own_version = client.get(
        f"/api/v1/subjects/{COMPANY}/report", headers=headers, params={"kind": "subject"}
    )
    assert own_version.status_code == 403 and own_version.json()["error"]["code"] == "report.subject_only"


@pytest.mark.req("DIS-10")
def test_the_special_report_says_per_domain_what_was_found(
    portal: Portal, as_subject: TestClient, tmp_path: Path
) -> None:
    params = {"domains": ["market", "tax"], "start": "2021-11-23", "end": "2026-11-23"}
    response = as_subject.get(f"/api/v1/subjects/{COMPANY}/special-report", params=params)
    assert response.status_code == 200, response.text
    text = re.sub(r"\s+", "", pdf_text(response.content, tmp_path))
    assert "专项信用报告" in text and "市场监管领域" in text and "税务领域" in text
    assert "行政处罚（含简易程序）：查见1条" in text  # the 市场监督管理局 penalty
    assert "行政处罚（含简易程序）：未查见" in text  # nothing from tax authorities
    assert "严重失信主体名单：未查见" in text  # lists are kept here: found or not (LIST-7, DIS-10)
    assert "行政强制、刑事判决：本平台未归集此类信息" in text  # never reported as clean
    assert "其他严重失信主体名单（不分领域）" in text
    assert "失信被执行人（人民法院，不分领域）" in text
    too_long = as_subject.get(
        f"/api/v1/subjects/{COMPANY}/special-report", params={**params, "start": "2021-11-22"}
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "report.period"
    unknown = as_subject.get(
        f"/api/v1/subjects/{COMPANY}/special-report", params={**params, "domains": ["gossip"]}
    )
    assert unknown.json()["error"]["code"] == "report.domains"
    as_subject.cookies.clear()
    other = as_subject.get(
        f"/api/v1/subjects/{COMPANY}/special-report", params=params, headers=portal.bearer(portal.dept)
    )
    assert other.status_code == 403
