"""A batch of more than ``LONG_CHECK`` codes is long work (web.threads): it runs in threads of its own, so a
process with one request thread still answers pages meanwhile; a smaller batch takes that request thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Pending

import pytest
from fastapi.testclient import TestClient

from tests.conftest import uscc_code
from tests.held import WAIT_S, Held
from xinyong.measures import check
from xinyong.measures.api import LONG_CHECK
from xinyong.web.app import create_app

from .conftest import World

BLOCKED_S = 2


@pytest.mark.req("CHK-1")
@pytest.mark.parametrize(("size", "long"), [(LONG_CHECK + 1, True), (LONG_CHECK, False)])
def test_only_a_large_batch_leaves_the_request_thread_to_pages(
    world: World, monkeypatch: pytest.MonkeyPatch, size: int, long: bool
) -> None:
    held = Held(check.run)
    monkeypatch.setattr(check, "run", held)
    body = {
        "codes": [uscc_code(9_000_000 + n) for n in range(size)],
        "scenario": "bidding",
        "purpose": "bidding",
    }
    app = create_app(world.settings.model_copy(update={"request_threads": 1}))
    with TestClient(app) as client, ThreadPoolExecutor(2) as pool:
        batch = pool.submit(client.post, "/api/v1/checks", headers=world.headers[world.dept], json=body)
        try:
            assert held.started.wait(WAIT_S)
            page = pool.submit(client.get, "/search", params={"q": "某某"})
            try:
                answered = page.result(timeout=BLOCKED_S if not long else WAIT_S)
            except Pending:
                answered = None
            assert (answered is not None) == long
        finally:
            held.release.set()
        assert page.result(timeout=WAIT_S).status_code == 200
        checked = batch.result(timeout=WAIT_S)
    assert checked.status_code == 200 and checked.json()["total"] == size
