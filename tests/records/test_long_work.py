"""Long work runs in threads of its own (web.threads): a serving process with one request thread still
answers its pages while a department's file is being imported."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.held import WAIT_S, Held
from xinyong.records import ingest
from xinyong.web.app import create_app

from .conftest import Provider, penalty
from .test_import import write_csv


@pytest.mark.req("ING-1")
def test_a_file_being_imported_leaves_the_request_thread_to_pages(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(ingest.import_file)
    monkeypatch.setattr(ingest, "import_file", held)
    path = write_csv(tmp_path / "处罚.csv", [penalty(f"{secrets.token_hex(3)}-1")])
    app = create_app(provider.settings.model_copy(update={"request_threads": 1}))
    with TestClient(app) as client, ThreadPoolExecutor(2) as pool, path.open("rb") as fh:
        upload = pool.submit(
            client.post,
            "/api/v1/imports",
            headers=provider.headers,
            data={"item": "admin-penalty", "severity": "general"},
            files={"file": ("处罚.csv", fh, "text/csv")},
        )
        try:
            assert held.started.wait(WAIT_S)
            page = pool.submit(client.get, "/search", params={"q": "某某"}).result(timeout=WAIT_S)
            assert page.status_code == 200 and not upload.done()
        finally:
            held.release.set()
        answer = upload.result(timeout=WAIT_S)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
