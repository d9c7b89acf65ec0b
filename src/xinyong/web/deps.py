"""Request dependencies: the pieces of app state every router needs, typed."""

from __future__ import annotations

from fastapi import Request

from xinyong.clock import Clock
from xinyong.profiles.schema import Profile
from xinyong.rules.calendar import WorkingCalendar
from xinyong.settings import Settings


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def clock(request: Request) -> Clock:
    return settings(request).clock


def profile(request: Request) -> Profile:
    value: Profile = request.app.state.profile
    return value


def calendar(request: Request) -> WorkingCalendar:
    value: WorkingCalendar = request.app.state.calendar
    return value
