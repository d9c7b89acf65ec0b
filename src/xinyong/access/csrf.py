"""CSRF protection for portal forms: a random cookie per browser, and a form field keyed from it.

The field is an HMAC of the cookie under the secret key, so a page on another site can neither read nor
compute it; every form POST must carry it (double submit, signed).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from xinyong.access import security
from xinyong.errors import Forbidden

CSRF_COOKIE = "xinyong_csrf"


def token_for(request: Request) -> tuple[str, str, bool]:
    """``(cookie, form token, cookie is new)`` for this browser."""
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = not cookie
    cookie = cookie or secrets.token_urlsafe(24)
    return cookie, security.csrf_token(request.app.state.secret_key, cookie), fresh


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        path="/",
        secure=bool(request.app.state.settings.secure_cookies),
    )


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this browser's cookie (a route dependency)."""
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not cookie or not security.same(sent, security.csrf_token(request.app.state.secret_key, cookie)):
        raise Forbidden("auth.csrf", "表单已失效，请刷新页面后重新提交")
    return form


Form = Annotated[FormData, Depends(checked_form)]
"""A route's posted form, CSRF-checked."""
