"""Headers every response carries, whether it comes from a route or from the crash handler."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import MutableHeaders

FIXED_DATE_HEADER = "X-Xinyong-Fixed-Date"
# Pages load only their own CSS; nothing may frame them (clickjacking) or post them elsewhere.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Swagger UI starts itself with an inline script.
DOCS_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def decorate(headers: MutableHeaders, *, path: str, fixed: date | None, request_id: str | None) -> None:
    headers.update(SECURITY_HEADERS)
    headers["Content-Security-Policy"] = DOCS_POLICY if path.startswith("/api/docs") else PAGE_POLICY
    if not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"  # pages and answers may hold personal data
    if request_id:
        headers["X-Request-Id"] = request_id
    if fixed is not None:
        headers[FIXED_DATE_HEADER] = fixed.isoformat()
