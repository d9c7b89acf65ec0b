"""Joint rewards-and-punishments API: implementing departments see the tasks pushed to them, respond,
implement and feed back; operators follow the loop per department and list (MEA-6)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.access.service import audit_actor
from xinyong.errors import Forbidden
from xinyong.fields import IsoDate
from xinyong.measures import service
from xinyong.measures.models import RpTask

router = APIRouter(tags=["joint rewards and punishments"])
Responding = Annotated[Actor, Depends(Permission("rp.respond"))]


class TaskOut(BaseModel):
    id: int
    entry: int
    subject: str | None
    list_type: str
    measure: str
    org: str
    status: str
    pushed_on: date
    respond_by: date
    responded_on: date | None
    implemented_on: date | None
    fed_back_on: date | None
    feedback: str | None
    ended_on: date | None

    @classmethod
    def of(cls, task: RpTask) -> TaskOut:
        return cls(
            id=task.id,
            entry=task.entry_id,
            subject=task.subject_key,
            list_type=task.list_type,
            measure=task.measure,
            org=task.org_code,
            status=task.status,
            pushed_on=task.pushed_on,
            respond_by=task.respond_by,
            responded_on=task.responded_on,
            implemented_on=task.implemented_on,
            fed_back_on=task.fed_back_on,
            feedback=task.feedback,
            ended_on=task.ended_on,
        )


class TaskStepIn(BaseModel):
    step: str = Field(max_length=16, description="responded（响应）、implemented（实施）或 fed_back（反馈）")
    text: str | None = Field(default=None, max_length=4000, description="实施情况和成效（反馈时必填）")


class StatsOut(BaseModel):
    org: str
    list_type: str
    pushed: int
    responded: int
    implemented: int
    fed_back: int
    overdue: int


def _own_org(actor: Actor) -> str:
    if actor.org_code is None:
        raise Forbidden("rp_task.no_org", "只有实施部门的账号可以办理联合奖惩任务")
    return actor.org_code


@router.get("/rp-tasks", response_model=list[TaskOut], summary="本部门的联合奖惩任务")
def my_tasks(session: DB, actor: Responding) -> list[TaskOut]:
    return [TaskOut.of(t) for t in service.tasks_of(session, org_code=_own_org(actor))]


@router.post("/rp-tasks/{task_id}", response_model=TaskOut, summary="响应、实施或反馈联合奖惩任务")
def advance(
    request: Request,
    task_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)],
    body: TaskStepIn,
    session: DB,
    actor: Responding,
) -> TaskOut:
    clock = request.app.state.settings.clock
    task = service.advance(
        session,
        task_id=task_id,
        step=body.step,
        org_code=_own_org(actor),
        text=body.text,
        actor=audit_actor(actor),
        today=clock.today(),
        now=clock.now(),
    )
    return TaskOut.of(task)


@router.get("/rp-stats", response_model=list[StatsOut], summary="联合奖惩闭环统计（按部门、名单）")
def stats(
    request: Request,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("rp.stats"))],
    as_of: Annotated[IsoDate | None, Query(description="统计日期，默认今天")] = None,
) -> list[StatsOut]:
    found = service.loop_stats(session, as_of=as_of or request.app.state.settings.clock.today())
    return [
        StatsOut(org=s.org_code, **{k: getattr(s, k) for k in StatsOut.model_fields if k != "org"})
        for s in found
    ]
