"""What case pages and routes share: a form's action runs in a savepoint, so a refusal re-shows the form with
nothing half-done committed; uploaded files are read no further than a refusal needs; kept files go back
under their own names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from xinyong.errors import XinyongError
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES, Upload

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


def save_upload(file: UploadFile, path: Path, *, max_bytes: int, refusal: XinyongError) -> None:
    """Copy an uploaded file to ``path`` in chunks; past ``max_bytes`` nothing is kept and ``refusal`` is
    raised, so a too large file never fills the disk."""
    size = 0
    with path.open("wb") as out:
        while chunk := file.file.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                break
            out.write(chunk)
        else:
            return
    path.unlink()
    raise refusal


async def uploads(files: Sequence[object]) -> list[Upload]:
    """The files of a form or request as evidence uploads, read no further than a refusal needs: one file
    more than allowed, one byte more than the limit."""
    chosen = [f for f in files if isinstance(f, UploadFile) and f.filename][: MAX_FILES + 1]
    return [Upload(f.filename or "", await f.read(MAX_FILE_BYTES + 1)) for f in chosen]


def download(content: bytes, *, media_type: str, filename: str) -> Response:
    """A kept file handed back under its own name (evidence, written replies and decisions)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
