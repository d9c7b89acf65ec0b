"""One error type for refused input, shared by rules, services, the CLI and the API.

Every refusal carries a stable machine code (``uscc.checksum``), a Chinese message for people,
and where it applies the field and the row of the input that is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class XinyongError(Exception):
    """Input was refused; ``problem`` says what is wrong and where."""

    def __init__(self, code: str, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(f"{code}: {message}")
        self.problem = Problem(code=code, message=message, field=field, row=row)

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message
