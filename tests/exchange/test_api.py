"""``POST /api/v1/exchange/packages``: operators only; refusals in the one error shape (INT-1, LIST-10)."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xinyong.access.security import secret_key
from xinyong.db.engine import transaction
from xinyong.exchange.package import RECORDS
from xinyong.web.app import create_app

from ..conftest import org_with_token
from .conftest import Platforms, company, penalty_of


@pytest.mark.req("INT-1")
@pytest.mark.req("LIST-10")
def test_the_operator_posts_a_package_and_others_may_not(platforms: Platforms, tmp_path: Path) -> None:
    code, name = company("戊测试科技有限公司")
    platforms.deliver(penalty_of(code, name, "济市监罚〔2026〕401号"))
    platforms.export(tmp_path / "p.zip", since=platforms.start)
    key, now, tag = (
        secret_key(platforms.other.data_dir.resolve()),
        platforms.other.clock.now(),
        secrets.token_hex(3),
    )
    with transaction(platforms.other_sessions) as session:
        admin = org_with_token(
            session, code=f"op-{tag}", kind="operator", role="operator_admin", key=key, now=now
        )
        staff = org_with_token(session, code=f"prv-{tag}", kind="provider", role="provider", key=key, now=now)
    with TestClient(create_app(platforms.other)) as client:
        content = (tmp_path / "p.zip").read_bytes()
        upload = {"file": ("p.zip", content, "application/zip")}
        refused = client.post(
            "/api/v1/exchange/packages", files=upload, headers={"Authorization": f"Bearer {staff}"}
        )
        assert refused.status_code == 403
        operator = {"Authorization": f"Bearer {admin}"}
        taken = client.post("/api/v1/exchange/packages", files=upload, headers=operator)
        assert taken.status_code == 200, taken.text
        assert (taken.json()["accepted"], taken.json()["producer"]) == (1, platforms.city.exchange_platform)
        again = client.post("/api/v1/exchange/packages", files=upload, headers=operator)
        assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
        with zipfile.ZipFile(tmp_path / "p.zip") as package:
            files = {n: package.read(n) for n in package.namelist()}
        files[RECORDS] = files[RECORDS].replace("济市监罚".encode(), "某市监罚".encode())
        bad = {"file": ("p.zip", _zipped(files), "application/zip")}
        broken = client.post("/api/v1/exchange/packages", files=bad, headers=operator)
        assert broken.status_code == 422
        assert broken.json()["error"]["code"] == "exchange.checksum_mismatch"
        assert broken.json()["error"]["field"] == RECORDS
        marks = client.get("/api/v1/exchange/watermarks", headers=operator)
        assert marks.status_code == 200 and isinstance(marks.json(), list)


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()
