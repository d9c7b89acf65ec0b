"""Evaluation API: the published model (public), a subject's explained grade (through the gate), runs and
their export for financial institutions and associations (operators, logged), inspection plans."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, CreditReader, Permission, PublicAccess, now
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.disclosure.api import Code, known_subject
from xinyong.evaluation import inspection, loading, service
from xinyong.evaluation.schemas import EvaluationOut, ModelOut, PlanIn, PlanOut, RunIn, RunOut
from xinyong.fields import IsoDate
from xinyong.web.forms import download

router = APIRouter(tags=["evaluation"])
RunId = Annotated[int, Path(ge=1, le=2**31 - 1, description="评价批次编号")]
Number = Annotated[str, Path(max_length=32, description="抽查计划编号")]
FileFormat = Annotated[Literal["csv", "xlsx"], Query(description="导出格式")]
Exporter = Annotated[Actor, Depends(Permission("evaluation.export"))]
Planner = Annotated[Actor, Depends(Permission("inspection.plan"))]


@router.get("/evaluation/model", response_model=ModelOut, summary="公布的公共信用综合评价模型（EVA-1）")
def published_model(
    request: Request,
    actor: PublicAccess,
    as_of: Annotated[IsoDate | None, Query(description="哪一天施行的模型；不填为今天")] = None,
) -> ModelOut:
    day = as_of or request.app.state.settings.clock.today()
    return ModelOut.of(loading.models(request.app.state.settings.data_dir.resolve()).in_force(day))


@router.get(
    "/subjects/{code}/evaluation",
    response_model=EvaluationOut,
    summary="信用主体的综合评价等级及其逐条说明（本人、列明目的的部门、经授权方；查询留痕）",
)
def subject_evaluation(
    request: Request, session: DB, code: Code, gate: Annotated[Gate, Depends(CreditReader("credit.read"))]
) -> EvaluationOut:
    subject = known_subject(session, code)
    found = service.read(
        session, gate, subject_key=subject.key, data_dir=request.app.state.settings.data_dir.resolve()
    )
    return EvaluationOut.of(found)


@router.get("/evaluation/runs", response_model=list[RunOut], summary="评价批次（运营方）")
def list_runs(session: DB, actor: Exporter) -> list[RunOut]:
    return [RunOut.of(r) for r in service.runs(session)]


@router.post("/evaluation/runs", response_model=RunOut, summary="按施行的模型评价全部主体（运营方）")
def start_run(
    request: Request, body: RunIn, actor: Annotated[Actor, Depends(Permission("evaluation.run"))]
) -> RunOut:
    state = request.app.state
    done = service.run(
        state.sessions,
        data_dir=state.settings.data_dir.resolve(),
        profile=state.profile,
        as_of=body.as_of or state.settings.clock.today(),
        actor=audit_actor(actor),
        clock_now=state.settings.clock.now,
    )
    with state.sessions() as session:
        return RunOut.of(service.get_run(session, done.run))


@router.get(
    "/evaluation/runs/{run_id}/export",
    summary="导出一次评价的结果，提供给金融机构、行业协会商会参考（EVA-3；记入审计日志）",
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def export_run(
    request: Request,
    session: DB,
    run_id: RunId,
    actor: Exporter,
    recipient: Annotated[str, Query(max_length=200, description="提供对象（机构名称），必填")] = "",
    format: FileFormat = "xlsx",
) -> Response:
    content, media, name = service.export(
        session, run_id=run_id, recipient=recipient, format=format, actor=audit_actor(actor), now=now(request)
    )
    return download(content, media_type=media, filename=name)


def plan_out(session: DB, number: str, *, with_sample: bool) -> PlanOut:
    found = service.get_plan(session, number)
    return PlanOut(
        number=found.number,
        title=found.title,
        run=found.run_id,
        seed=found.seed,
        population=found.population,
        sampled=found.sampled,
        inputs=json.loads(found.inputs),
        sample=service.sample(session, found) if with_sample else [],
    )


@router.post("/inspections", response_model=PlanOut, summary="按信用等级抽取双随机抽查计划（EVA-2）")
def draw_plan(request: Request, session: DB, body: PlanIn, actor: Planner) -> PlanOut:
    today = request.app.state.settings.clock.today()
    wanted = inspection.request(
        title=body.title,
        seed=body.seed,
        inspectors=body.inspectors,
        per_subject=body.per_subject,
        grades=body.grades,
        codes=body.codes,
        ratios=body.ratios,
        today=today,
    )
    made = service.plan(session, request=wanted, today=today, actor=audit_actor(actor), now=now(request))
    return plan_out(session, made.number, with_sample=True)


@router.get("/inspections", response_model=list[PlanOut], summary="抽查计划（不含名单）")
def list_plans(session: DB, actor: Planner) -> list[PlanOut]:
    return [plan_out(session, p.number, with_sample=False) for p in service.plans(session)]


@router.get(
    "/inspections/{number}",
    response_model=PlanOut,
    summary="抽查计划及抽中名单；format=csv 或 xlsx 下载名单",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def get_plan(
    session: DB,
    number: Number,
    actor: Planner,
    format: Annotated[
        Literal["json", "csv", "xlsx"], Query(description="json，或 csv、xlsx 下载名单")
    ] = "json",
) -> PlanOut | Response:
    if format == "json":
        return plan_out(session, number, with_sample=True)
    content, media, name = service.sample_file(session, service.get_plan(session, number), format)
    return download(content, media_type=media, filename=name)
