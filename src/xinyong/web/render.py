"""Rendering portal pages: every page gets the CSRF token its forms need (and the browser its cookie)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from xinyong.access.csrf import CSRF_COOKIE, set_cookie, token_for


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    cookie, token, fresh = token_for(request)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, {**context, "csrf_token": token}, status_code=status
    )
    if fresh:
        set_cookie(request, response, CSRF_COOKIE, cookie, max_age=None)
    return response
