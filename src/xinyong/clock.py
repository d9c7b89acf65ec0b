"""The injected clock: every date-dependent rule asks a clock, never ``date.today()`` directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    @property
    def fixed(self) -> bool: ...

    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    """Real time in China Standard Time, where the regulations' days are counted."""

    fixed = False

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(CHINA_TZ)

    def today(self) -> date:
        return self.now().date()


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped on one day (demos, tests, ``--as-of``); the time of day keeps running."""

    day: date
    fixed: bool = True

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        real = datetime.now(UTC).astimezone(CHINA_TZ)
        return datetime.combine(self.day, real.timetz().replace(tzinfo=None), tzinfo=CHINA_TZ)


def clock_for(day: date | None) -> Clock:
    return FixedClock(day) if day is not None else SystemClock()


def in_beijing(moment: datetime) -> datetime:
    """A stored moment in Beijing time, the same whichever database kept it: SQLite gives back naive
    datetimes (written in the platform's zone), PostgreSQL its session's zone."""
    return moment.astimezone(CHINA_TZ) if moment.tzinfo is not None else moment.replace(tzinfo=CHINA_TZ)


__all__ = ["CHINA_TZ", "Clock", "FixedClock", "SystemClock", "clock_for", "in_beijing"]


def local_time(moment: datetime) -> str:
    """A stored moment as people here read it: Beijing time, to the minute (naive values are already so)."""
    shown = moment.astimezone(CHINA_TZ) if moment.tzinfo is not None else moment
    return shown.strftime("%Y-%m-%d %H:%M")
