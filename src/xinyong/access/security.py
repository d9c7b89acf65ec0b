"""Secrets, passwords, tokens and CSRF: the primitives, with no policy in them.

Passwords are hashed with Argon2id (argon2-cffi). Tokens, session ids and one-time codes are random and
kept only as an HMAC under the deployment's secret key, so a copy of the database alone neither reveals
nor lets anyone test them. The secret key is generated on first start into the data directory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xinyong.errors import XinyongError

# Security settings, not legal periods: how long a sign-in lasts and a code stays usable.
SESSION_LIFETIME = timedelta(hours=8)
CHALLENGE_LIFETIME = timedelta(minutes=10)
CHALLENGE_ATTEMPTS = 5
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
TOKEN_PREFIX = "xy_"

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so a wrong username costs as long as a wrong
    password; made on the first sign-in, as hashing takes a quarter second every process would pay."""
    return _hasher.hash("not a password of anyone")


@lru_cache(maxsize=4)
def secret_key(data_dir: Path) -> bytes:
    """The deployment's secret key: read from ``data_dir/secret_key``, created (mode 0600) on first use."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hash_password(password: str) -> str:
    """The Argon2id hash of an acceptable new password; refuses short or unencodable ones."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise XinyongError(
            "account.password_weak", f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH or any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        raise XinyongError("account.password_invalid", "密码过长或含有控制字符", field="password")
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), password[:MAX_PASSWORD_LENGTH]) and stored is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


@dataclass(frozen=True)
class NewToken:
    """A token as shown once to its owner: ``xy_<prefix>_<secret>``."""

    prefix: str
    secret: str

    @property
    def value(self) -> str:
        return f"{TOKEN_PREFIX}{self.prefix}_{self.secret}"


def new_token() -> NewToken:
    return NewToken(prefix=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def split_token(value: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed token, else None."""
    if not value.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = value[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != 12 or not secret:
        return None
    return prefix, secret


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def csrf_token(key: bytes, cookie: str) -> str:
    """The form field that must accompany a form post from the browser holding ``cookie``."""
    return keyed_hash(key, f"csrf:{cookie}")


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
