"""Request dependencies: the pieces of app state every router needs, typed.

``async`` because they only read app state: FastAPI runs a plain ``def`` dependency in a worker thread, a hop
that costs more than they do."""

from __future__ import annotations

from fastapi import Request

from xinyong.clock import Clock
from xinyong.profiles.schema import Profile
from xinyong.rules.calendar import WorkingCalendar
from xinyong.settings import Settings


async def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


async def clock(request: Request) -> Clock:
    value: Clock = request.app.state.settings.clock
    return value


async def profile(request: Request) -> Profile:
    value: Profile = request.app.state.profile
    return value


async def calendar(request: Request) -> WorkingCalendar:
    value: WorkingCalendar = request.app.state.calendar
    return value
