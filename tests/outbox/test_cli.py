"""``xinyong webhook set`` and ``xinyong deliver`` on a database of the test's own (MEA-6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinyong.clock import SystemClock
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.outbox import service as outbox

from .conftest import Receiver, verify


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", **env},
    )


@pytest.mark.req("MEA-6")
def test_set_a_webhook_and_deliver_from_the_command_line(tmp_path: Path, receiver: Receiver) -> None:
    url = f"sqlite:///{tmp_path}/own.db"
    env = {"XINYONG_DATABASE_URL": url, "XINYONG_DATA_DIR": str(tmp_path / "var")}
    assert run("init", env=env).returncode == 0
    added = run("org", "add", "--code", "mzj", "--name", "民政局", "--kind", "user", env=env)
    assert added.returncode == 0, added.stderr

    made = run("webhook", "set", "mzj", receiver.url, env=env)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]  # generated and shown once
    assert len(secret) >= 32 and "此后不再显示" in made.stdout
    refused = run("webhook", "set", "mzj", "not a url", env=env)
    assert refused.returncode == 1 and "webhook.url_invalid" in refused.stderr

    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        message = outbox.Message("reminder", "mzj", None, {"task": 1}, "test:cli")
        outbox.enqueue(session, [message], now=SystemClock().now())
    engine.dispose()
    pushed = run("deliver", "--once", "--json", env=env)
    assert pushed.returncode == 0, pushed.stderr
    assert json.loads(pushed.stdout) == {"delivered": 1, "retried": 0, "dead": 0}
    [push] = receiver.received
    assert push.headers["X-Xinyong-Kind"] == "reminder"
    assert verify(secret, push.headers, push.body, now=int(time.time()))

    again = run("deliver", "--once", env=env)
    assert again.returncode == 0 and "已送达 0 条" in again.stdout and len(receiver.received) == 1
    assert run("webhook", "remove", "mzj", env=env).returncode == 0
    gone = run("webhook", "remove", "mzj", env=env)
    assert gone.returncode == 1 and "webhook.not_found" in gone.stderr
