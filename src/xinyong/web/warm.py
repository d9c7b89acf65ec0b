"""A serving process answers its busiest pages once, in-process, before it takes its first connection.

The first search and subject page of a process compile their templates and SQL statements and fill its
caches (80 ms for a subject page instead of 5). Under load the first visitors' requests queued behind each
other and behind those compilations for seconds: the slowest answers of a whole minute came from its first
five seconds. Warmed before the socket opens, a process that answers ``/healthz`` is ready for traffic.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import Message

from xinyong.subjects.models import Subject
from xinyong.subjects.service import ORGANISATION

log = logging.getLogger("xinyong.web")


def _pages(app: FastAPI) -> list[tuple[str, str]]:
    """(path, query) of the home page, and of a search and the page of the first organisation on record, if
    there is one."""
    first_organisation = select(Subject.key, Subject.name).where(ORGANISATION).order_by(Subject.id).limit(1)
    try:
        with app.state.sessions() as session:
            first = session.execute(first_organisation).first()
    except SQLAlchemyError:  # no database yet: /healthz says so, and the pages warm up as they are asked
        return []
    if first is None:
        return [("/", "")]
    return [("/", ""), ("/search", f"q={quote(first.name[:4])}"), (f"/subjects/{first.key}", "")]


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    pass


async def warm(app: FastAPI) -> None:
    for route, query in _pages(app):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"localhost")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
            "state": {},
        }
        try:
            await app(scope, _receive, _discard)
        except Exception:  # a page that fails here fails for its visitor too, and is logged there
            log.warning("warming %s failed", route, exc_info=True)
