"""Tolerance acceptance (COM-3): a subject without dishonesty records (no negative record in its public
period, no black listing in force, no role in a black-listed organisation) is shown as eligible for 容缺受理
in every credit-check result; a subject with any of them is not."""

from __future__ import annotations

import pytest

from ..measures import conftest as shared
from ..measures.conftest import World

world = shared.world  # the credit-check platform, shared


@pytest.mark.req("COM-3")
def test_only_subjects_without_dishonesty_records_may_be_given_tolerance_acceptance(
    world: World,
) -> None:
    codes = world.codes
    wanted = ["listed", "wage", "legal_rep", "clean", "removed", "expired", "debtor"]
    found = world.check([codes[k] for k in wanted], "bidding")
    assert found["http"] == 200, found
    eligible = {wanted[r["row"] - 1]: r["tolerance"] for r in found["results"]}
    assert eligible == {
        "listed": False,  # black-listed and a penalty in its public period
        "wage": False,  # black-listed
        "legal_rep": False,  # legal representative of a black-listed company
        "clean": True,
        "removed": True,  # removed from the list after repair
        "expired": True,  # the listing's term ended
        "debtor": True,  # only a probable match on a masked court entry: not a record of its own
    }


@pytest.mark.req("COM-3")
def test_the_flag_does_not_depend_on_the_scenario_verdict(
    world: World,
) -> None:
    warned = world.one(world.codes["listed"], "consumption", purpose="daily_supervision")
    assert warned["negative_records"] == 1 and warned["tolerance"] is False
    clean = world.one(world.codes["clean"], "bidding")
    assert clean["verdict"] == "pass" and clean["tolerance"] is True
