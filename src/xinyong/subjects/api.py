"""Subject API: identifier checks now; subjects and archives join this router later."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from xinyong.access.deps import PublicAccess
from xinyong.clock import Clock
from xinyong.rules import identifiers
from xinyong.rules.identifiers import IdType
from xinyong.subjects.schemas import IdentifierOut
from xinyong.web import deps

router = APIRouter(tags=["subjects"])


@router.get("/identifiers/{code}", response_model=IdentifierOut, summary="校验统一社会信用代码或身份证件号码")
def check_identifier(
    _: PublicAccess,
    code: str,
    clock: Annotated[Clock, Depends(deps.clock)],
    kind: Annotated[IdType | None, Query(description="不填则自动识别")] = None,
) -> IdentifierOut:
    """Valid: 200 with the normalised code; invalid: 422 naming the problem and the character at fault."""
    return IdentifierOut.of(identifiers.validate(code, kind, today=clock.today()))
