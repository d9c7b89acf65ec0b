"""Every setting read from the environment lives here (``XINYONG_*``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xinyong.clock import Clock, clock_for
from xinyong.fields import IsoDate


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    database_url: str = "sqlite:///./xinyong.db"
    profile: str = "national"
    fixed_date: IsoDate | None = None
    data_dir: Path = Path("./var")
    operator_name: str = "公共信用信息工作机构"
    identity_verifier: str = "log"
    secure_cookies: bool = False
    # Requests a serving process works on at once (web.threads): an operational choice. Python runs one
    # thread at a time, so more threads do no more work but share out the same; past a few, every answer
    # slows down.
    request_threads: int = Field(default=4, ge=1, le=64)
    # Pushing the outbox to webhooks (outbox.delivery): operational choices, not regulation.
    webhook_timeout_seconds: float = Field(default=10.0, ge=0.1, le=60)
    webhook_max_attempts: int = Field(default=12, ge=1, le=50)
    webhook_backoff_seconds: int = Field(default=60, ge=1, le=86_400)
    # Flood protection of public tips (tips.service): operational choices, not regulation.
    tip_filing_limit: str = Field(default="5/hour", pattern=r"^\d{1,4}/(second|minute|hour|day)$")
    tip_duplicate_hours: int = Field(default=24, ge=0, le=24 * 30)
    # Exchange packages with other platforms (exchange/): operational choices, not regulation. The key is
    # shared with the platforms this one exchanges with; empty means the deployment's own secret key.
    exchange_platform: str = Field(default="xinyong", pattern=r"^[a-z0-9_-]{2,64}$")
    exchange_key: str = ""
    exchange_max_bytes: int = Field(default=1024**3, ge=1024, le=64 * 1024**3)
    # The sweep writes a full snapshot once the latest is this many days old; 0: never (a large deployment
    # writes it apart from the sweep, with `xinyong exchange export --full`).
    exchange_snapshot_days: int = Field(default=1, ge=0, le=366)

    @field_validator("fixed_date", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def clock(self) -> Clock:
        return clock_for(self.fixed_date)


@lru_cache
def get_settings() -> Settings:
    return Settings()
