"""Per request: an id to find it again in the logs and the audit trail, and the common headers."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from xinyong.web.headers import decorate

Handler = Callable[[Request], Awaitable[Response]]


def install(app: FastAPI) -> None:
    fixed = app.state.settings.fixed_date

    @app.middleware("http")
    async def every_response(request: Request, call_next: Handler) -> Response:
        # Made here, never taken from the client: audit rows name it, so a caller must not choose it.
        request.state.request_id = secrets.token_hex(8)
        response = await call_next(request)
        decorate(response.headers, path=request.url.path, fixed=fixed, request_id=request.state.request_id)
        return response
