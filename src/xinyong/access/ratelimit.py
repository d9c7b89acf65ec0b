"""Rate limits on sign-in and token use: failures are counted per address and per account name.

Only failures count, so a busy department system is never slowed; a guesser is stopped. The counts live in
memory: each server process limits on its own, which bounds guessing without needing Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from xinyong.errors import TooManyAttempts

LOGIN_FAILURES_PER_ACCOUNT = parse("10/15 minutes")
LOGIN_FAILURES_PER_ADDRESS = parse("30/15 minutes")
TOKEN_FAILURES = parse("30/minute")
IDENTITY_STARTS = parse("5/10 minutes")
IDENTITY_FAILURES = parse("10/10 minutes")
TOKEN_CREATIONS = parse("30/hour")


@dataclass
class Limiter:
    limiter: MovingWindowRateLimiter = field(default_factory=lambda: MovingWindowRateLimiter(MemoryStorage()))

    def ensure(self, item: RateLimitItem, *keys: str) -> None:
        """Refuse with 429 when ``keys`` already used up ``item``; does not count this call."""
        if not self.limiter.test(item, *keys):
            raise TooManyAttempts("auth.rate_limited", "尝试次数过多，请稍后再试")

    def count(self, item: RateLimitItem, *keys: str) -> None:
        self.limiter.hit(item, *keys)

    def take(self, item: RateLimitItem, *keys: str) -> None:
        """Count this call and refuse it when over the limit: for actions limited even when they succeed."""
        if not self.limiter.hit(item, *keys):
            raise TooManyAttempts("auth.rate_limited", "操作过于频繁，请稍后再试")
