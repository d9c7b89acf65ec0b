"""Evaluation pages: the published model for everyone (``/evaluation``), a subject's own grade explained
(``/me/evaluation``), the operator's runs with their export and a subject's grade through the gate
(``/admin/evaluation``), and inspection plans (``/admin/inspections``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission, PublicAccess, now
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.catalog.schema import SUBJECT_KIND_LABELS
from xinyong.disclosure.api import known_subject
from xinyong.errors import XinyongError
from xinyong.evaluation import inspection, loading, service
from xinyong.evaluation.schema import CATEGORY_LABELS, KIND_LABELS
from xinyong.evaluation.schemas import EvaluationOut, ModelOut
from xinyong.lists.schema import LIST_KIND_LABELS
from xinyong.profiles.schema import SEVERITY_LABELS
from xinyong.web.forms import attempt
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
PURPOSE = "graded_supervision"
Planner = Annotated[Actor, Depends(Permission("inspection.plan"))]


def _published(request: Request) -> ModelOut:
    state = request.app.state
    return ModelOut.of(
        loading.models(state.settings.data_dir.resolve()).in_force(state.settings.clock.today())
    )


@router.get("/evaluation", response_class=HTMLResponse)
def model_page(request: Request, actor: PublicAccess) -> HTMLResponse:
    """The model in force: indicators, weights, bands, sampling ratios, who approved it and since when."""
    labels: dict[str, str] = {**CATEGORY_LABELS, **LIST_KIND_LABELS}
    labels.update({str(k): v for k, v in SEVERITY_LABELS.items()})
    return render(
        request,
        "evaluation_model.html",
        {
            "active": "evaluation",
            "model": _published(request),
            "counts_labels": labels,
            "kind_labels": KIND_LABELS,
            "subject_kinds": SUBJECT_KIND_LABELS,
        },
    )


def _subject_page(request: Request, session: DB, gate: Gate, subject_key: str, *, own: bool) -> HTMLResponse:
    subject = known_subject(session, subject_key)
    context: dict[str, Any] = {"active": "me" if own else "admin", "subject": subject, "own": own}
    try:
        found = service.read(
            session, gate, subject_key=subject.key, data_dir=request.app.state.settings.data_dir.resolve()
        )
    except XinyongError as exc:
        if exc.code != "evaluation.not_evaluated":
            raise
        context["problem"] = exc.problem
    else:
        context["evaluation"] = EvaluationOut.of(found)
    return render(request, "evaluation_subject.html", context)


@router.get("/me/evaluation", response_class=HTMLResponse)
def own_page(
    request: Request, session: DB, gate: Annotated[Gate, Depends(CreditReader("self.read"))]
) -> HTMLResponse:
    """A subject's own grade, each indicator and each record that counted (DIS-6: how it was evaluated)."""
    if gate.actor.subject_key is None:
        return RedirectResponse("/me/login", status_code=303)  # type: ignore[return-value]
    return _subject_page(request, session, gate, gate.actor.subject_key, own=True)


@router.get("/admin/evaluation/subject", response_class=HTMLResponse)
def subject_page(
    request: Request,
    session: DB,
    code: Annotated[str, Query(max_length=64)],
    gate: Annotated[Gate, Depends(CreditReader("credit.read"))],
) -> HTMLResponse:
    """A department's or operator's view of a subject's grade, with a stated purpose; the read is logged."""
    return _subject_page(request, session, gate, code, own=False)


# ------------------------------------------------------------------------------------------- runs
def _runs_page(
    request: Request, session: DB, actor: Actor, problem: XinyongError | None = None
) -> HTMLResponse:
    context = {
        "active": "admin",
        "runs": service.runs(session),
        "grades_of": lambda run: json.loads(run.grades),
        "model": _published(request),
        "can_run": "evaluation.run" in actor.permissions,
        "purpose": PURPOSE,
        "problem": problem.problem if problem else None,
    }
    return render(request, "evaluation_runs.html", context, problem.status if problem else 200)


@router.get("/admin/evaluation", response_class=HTMLResponse)
def runs_page(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("evaluation.export"))]
) -> HTMLResponse:
    return _runs_page(request, session, actor)


@router.post("/admin/evaluation/runs", response_model=None)
def run_form(
    request: Request, form: Form, actor: Annotated[Actor, Depends(Permission("evaluation.run"))]
) -> Response:
    state = request.app.state
    service.run(
        state.sessions,
        data_dir=state.settings.data_dir.resolve(),
        profile=state.profile,
        as_of=state.settings.clock.today(),
        actor=audit_actor(actor),
        clock_now=state.settings.clock.now,
    )
    return RedirectResponse("/admin/evaluation", status_code=303)


# ------------------------------------------------------------------------------------------- inspections
def _plans_page(
    request: Request, session: DB, *, problem: XinyongError | None = None, form: dict[str, Any] | None = None
) -> HTMLResponse:
    context = {
        "active": "admin",
        "plans": service.plans(session),
        "model": _published(request),
        "form": form or {},
        "problem": problem.problem if problem else None,
    }
    return render(request, "inspection_plans.html", context, problem.status if problem else 200)


@router.get("/admin/inspections", response_class=HTMLResponse)
def plans_page(request: Request, session: DB, actor: Planner) -> HTMLResponse:
    return _plans_page(request, session)


@router.post("/admin/inspections", response_model=None)
def plan_form(request: Request, session: DB, form: Form, actor: Planner) -> Response:
    typed = {k: str(form.get(k, "")) for k in ("title", "seed", "inspectors", "codes", "per_subject")}
    grades = [str(g) for g in form.getlist("grades")]
    today = request.app.state.settings.clock.today()

    def draw() -> str:
        try:
            per_subject = int(typed["per_subject"] or inspection.MIN_INSPECTORS)
        except ValueError:
            raise XinyongError(
                "inspection.per_subject", "每个对象的检查人员数应为整数", field="per_subject"
            ) from None
        wanted = inspection.request(
            title=typed["title"],
            seed=typed["seed"],
            inspectors=typed["inspectors"].splitlines(),
            per_subject=per_subject,
            grades=grades,
            codes=typed["codes"].splitlines(),
            today=today,
        )
        return service.plan(
            session, request=wanted, today=today, actor=audit_actor(actor), now=now(request)
        ).number

    outcome = attempt(session, draw)
    if isinstance(outcome, XinyongError):
        return _plans_page(request, session, problem=outcome, form={**typed, "grades": grades})
    session.commit()
    return RedirectResponse(f"/admin/inspections/{outcome}", status_code=303)


@router.get("/admin/inspections/{number}", response_class=HTMLResponse)
def plan_page(request: Request, session: DB, number: str, actor: Planner) -> HTMLResponse:
    found = service.get_plan(session, number)
    return render(
        request,
        "inspection_plan.html",
        {
            "active": "admin",
            "plan": found,
            "inputs": json.loads(found.inputs),
            "sample": service.sample(session, found),
        },
    )
