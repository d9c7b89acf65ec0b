"""Per request: an id to find it again in the logs and the audit trail, and the common headers.

A plain ASGI middleware rather than ``@app.middleware("http")``: that one runs every request through an extra
task and stream, which costs more than a subject page's own work.
"""

from __future__ import annotations

import secrets
from datetime import date

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.web.headers import decorate


class EveryResponse:
    def __init__(self, app: ASGIApp, fixed: date | None) -> None:
        self.app, self.fixed = app, fixed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Made here, never taken from the client: audit rows name it, so a caller must not choose it.
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_decorated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                decorate(headers, path=scope["path"], fixed=self.fixed, request_id=request_id)
            await send(message)

        await self.app(scope, receive, send_decorated)


def install(app: FastAPI) -> None:
    app.add_middleware(EveryResponse, fixed=app.state.settings.fixed_date)
