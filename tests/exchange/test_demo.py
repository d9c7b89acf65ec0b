"""The demo's first package for the province: written once, its watermark kept (INT-1)."""

from __future__ import annotations

import pytest

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.demo_exchange import DESTINATION, generate
from xinyong.exchange import service as exchange

from .conftest import Platforms, company, penalty_of


@pytest.mark.req("INT-1")
def test_the_demo_writes_the_first_package_once(platforms: Platforms) -> None:
    code, name = company("庚测试五金有限公司")
    platforms.deliver(penalty_of(code, name, "济市监罚〔2026〕601号"))
    actor = audit_actor(system_actor(policy()))
    with platforms.city_sessions() as session:
        already = exchange.watermark(session, DESTINATION)
    sent = generate(platforms.city_sessions, platforms.city, actor=actor)
    assert already is not None or sent >= 1
    with platforms.city_sessions() as session:
        assert exchange.watermark(session, DESTINATION) is not None
    assert generate(platforms.city_sessions, platforms.city, actor=actor) == 0
