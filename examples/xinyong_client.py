"""A small client of the xinyong API for a business system (DIS-9): code verification, credit checks and
their certificates, queries for a stated purpose, and verification of credit reports and certificates.

Standard library only, so it drops into any Python 3.9+ system. Usage::

    client = Client("https://credit.example.gov.cn", token="...")
    answer = client.check(["91370100MA3C8R1X54"], scenario="bidding", purpose="bidding")
    for result in answer["results"]:
        print(result["code"], result["verdict"], [m["matter"] for m in result["measures"]])

Every refusal raises :class:`ApiError` with the platform's stable code, its Chinese message and, where it
applies, the field and row.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any


class ApiError(Exception):
    """The platform refused the call: ``{"error": {"code", "message", "field", "row"}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None, row: int | None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.field, self.row = status, code, message, field, row


class Client:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    # ------------------------------------------------------------------ basic verification (基础数据比对核验)
    def identifier(self, code: str) -> dict[str, Any]:
        """Whether a 统一社会信用代码 or 公民身份号码 is well formed, and what it says."""
        return self._json("GET", f"/api/v1/identifiers/{urllib.parse.quote(code)}")

    def search(self, query: str) -> dict[str, Any]:
        """Subjects by name (simplified or traditional, partial) or code: public."""
        return self._json("GET", "/api/v1/subjects", params={"q": query})

    # ------------------------------------------------------------ credit information query (信用信息查询)
    def records(self, code: str, purpose: str | None = None) -> dict[str, Any]:
        """A subject's records as this account may see them; non-public ones need a purpose and are logged."""
        return self._json("GET", f"/api/v1/subjects/{code}/records", params={"purpose": purpose})

    # ------------------------------------------------------------------ credit review (信用审查)
    def check(self, codes: list[str], *, scenario: str, purpose: str) -> dict[str, Any]:
        """Check up to 100,000 codes in a scenario: verdict, list entries, measures and their basis."""
        body = {"codes": codes, "scenario": scenario, "purpose": purpose}
        return self._json("POST", "/api/v1/checks", body=body)

    def certificate(self, number: str) -> bytes:
        """The PDF certificate of a check (信用审查证明), verifiable by anyone with its number and code."""
        return self._call("POST", f"/api/v1/checks/{number}/certificate")

    # ------------------------------------------------------------------ verification of issued documents
    def verify(self, number: str, code: str) -> dict[str, Any]:
        """Whether a credit report, certificate or list document with this number and code was issued."""
        return self._json("GET", f"/api/v1/reports/{number}", params={"code": code})

    def verify_file(self, number: str, code: str, pdf: bytes) -> dict[str, Any]:
        """Whether a PDF is byte for byte the document that was issued under this number."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="code"\r\n\r\n{code}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{number}.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + pdf
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        content = self._call(
            "POST",
            f"/api/v1/reports/{number}/verify",
            data=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        return dict(json.loads(content))

    # ------------------------------------------------------------------ plumbing
    def _json(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        content = self._call(method, path, params=params, data=data, content_type="application/json")
        return dict(json.loads(content))

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        request = urllib.request.Request(
            self.base_url + path + (f"?{query}" if query else ""), data=data, method=method
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if content_type and data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as refused:
            error = json.loads(refused.read() or b"{}").get("error", {})
            raise ApiError(
                refused.code,
                error.get("code", "http.error"),
                error.get("message", refused.reason),
                error.get("field"),
                error.get("row"),
            ) from None
