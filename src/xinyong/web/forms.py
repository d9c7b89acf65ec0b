"""Running a page form's action so that a refusal re-shows the form instead of an error page: the action runs
in a savepoint, so whatever it wrote before refusing is undone and nothing half-done is committed with the
request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.errors import XinyongError

T = TypeVar("T")


def attempt(session: Session, action: Callable[[], T]) -> T | XinyongError:
    """The action's result, or the refusal it raised with its writes rolled back."""
    try:
        with session.begin_nested():
            return action()
    except XinyongError as exc:
        return exc


def act(
    session: Session, action: Callable[[], object], *, done: str, refused: Callable[[XinyongError], Response]
) -> Response:
    """A handling form: on to ``done`` when the action succeeds, ``refused`` (the same page with the
    reason) when it does not."""
    outcome = attempt(session, action)
    return refused(outcome) if isinstance(outcome, XinyongError) else RedirectResponse(done, status_code=303)
