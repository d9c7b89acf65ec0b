"""The FastAPI app factory: one app serves the JSON API (``/api/v1``) and the portal pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline

from xinyong import __version__
from xinyong.access import api as access_api
from xinyong.access import pages as access_pages
from xinyong.access.deps import page_actor
from xinyong.access.identity import load_verifier
from xinyong.access.policy import policy
from xinyong.access.ratelimit import Limiter
from xinyong.access.security import secret_key
from xinyong.audit import api as audit_api
from xinyong.catalog import api as catalog_api
from xinyong.catalog import pages as catalog_pages
from xinyong.clock import local_time
from xinyong.commitments import api as commitments_api
from xinyong.commitments import service as commitments_service
from xinyong.db.engine import make_engine, session_factory
from xinyong.deadlines import api as deadlines_api
from xinyong.deadlines import pages as deadlines_pages
from xinyong.disclosure import api as disclosure_api
from xinyong.disclosure import pages as disclosure_pages
from xinyong.evaluation import api as evaluation_api
from xinyong.evaluation import loading as evaluation_models
from xinyong.evaluation import pages as evaluation_pages
from xinyong.exchange import api as exchange_api
from xinyong.exchange import pages as exchange_pages
from xinyong.government import api as government_api
from xinyong.government import evaluation as government_evaluation
from xinyong.government import pages as government_pages
from xinyong.lists import api as lists_api
from xinyong.lists import pages as lists_pages
from xinyong.lists import service as lists_service
from xinyong.market import api as market_api
from xinyong.market import pages as market_pages
from xinyong.measures import api as measures_api
from xinyong.measures import loop_api
from xinyong.measures import service as measures_service
from xinyong.objections import api as objections_api
from xinyong.objections import pages as objections_pages
from xinyong.outbox import api as outbox_api
from xinyong.profiles.loader import load_profile
from xinyong.records import api as records_api
from xinyong.records import case_api as record_cases_api
from xinyong.records import pages as records_pages
from xinyong.repair import api as repair_api
from xinyong.repair import pages as repair_pages
from xinyong.reports import api as reports_api
from xinyong.reports import pages as reports_pages
from xinyong.settings import Settings, get_settings
from xinyong.subjects import api as subjects_api
from xinyong.tips import api as tips_api
from xinyong.tips import pages as tips_pages
from xinyong.web import errors, health, middleware, pages, reference_api, threads
from xinyong.web.warm import warm
from xinyong.workdays import working_calendar

HERE = Path(__file__).parent


@asynccontextmanager
async def _closing(app: FastAPI) -> AsyncIterator[None]:
    """An app that stops gives its database connections back (tests start many apps on one server)."""
    threads.limit(app.state.settings.request_threads)
    if getattr(app.state, "serving", False):
        await warm(app)
        _settle_heap()
    yield
    app.state.engine.dispose()


def _settle_heap() -> None:
    """Everything made while starting (modules, routes, catalogs, templates) lives as long as the process:
    frozen, the cycle collector no longer walks it. Unfrozen, each full collection walked it all and paused
    a serving process for 0.2 to 0.3 s, the slowest answers under load."""
    gc.collect()
    gc.freeze()


def serving_app(settings: Settings | None = None) -> FastAPI:
    """The app of a serving process (``xinyong serve``), which lives for as long as the process does."""
    app = create_app(settings)
    app.state.serving = True
    return app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
    # Swagger UI from local files: agency intranets often cannot reach a CDN.
    app = FastAPIOffline(
        title="xinyong 公共信用信息平台 API",
        version=__version__,
        description="公共信用信息归集、披露、名单与联合奖惩、主体权益保护。错误统一返回 "
        '`{"error": {"code", "message", "field", "row"}}`。',
        docs_url="/api/docs",
        redoc_url=None,
        static_url="/static/api-docs",
        lifespan=_closing,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.profile = profile
    app.state.calendar = working_calendar(settings.data_dir.resolve())
    # Refuse to start on a list-type or measure file without its legal basis (LIST-1, MEA-1).
    measures_service.measure_list(
        settings.data_dir.resolve(), frozenset(lists_service.list_types(settings.data_dir.resolve()).types)
    )
    commitments_service.matters(settings.data_dir.resolve())  # nor on a commitment list that is not valid
    evaluation_models.models(settings.data_dir.resolve())  # nor on an evaluation model that is not valid
    government_evaluation.rules(settings.data_dir.resolve())  # nor on an evaluation file that is not
    templates = Jinja2Templates(directory=HERE / "templates", context_processors=[page_actor])
    templates.env.globals.update(settings=settings, profile=profile, version=__version__)
    templates.env.filters["local_time"] = local_time
    templates.env.auto_reload = False  # templates are part of the release: no file check on every page
    app.state.templates = templates
    app.state.policy = policy()
    app.state.limiter = Limiter()
    app.state.secret_key = secret_key(settings.data_dir.resolve())
    app.state.verifier = load_verifier(settings.identity_verifier)

    middleware.install(app)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(health.router)
    # Pages first: most requests are for them, and the router tries routes in order.
    app.include_router(disclosure_pages.router)
    app.include_router(pages.router)
    app.include_router(access_pages.router)
    app.include_router(catalog_pages.router)
    app.include_router(lists_pages.router)
    app.include_router(deadlines_pages.router)
    app.include_router(objections_pages.router)
    app.include_router(records_pages.router)
    app.include_router(repair_pages.router)
    app.include_router(evaluation_pages.router)
    app.include_router(tips_pages.router)
    app.include_router(government_pages.router)
    app.include_router(market_pages.router)
    app.include_router(reports_pages.router)
    app.include_router(exchange_pages.router)
    for router in (
        subjects_api.router,
        reference_api.router,
        access_api.router,
        audit_api.router,
        catalog_api.router,
        records_api.router,
        record_cases_api.router,
        disclosure_api.router,
        measures_api.router,
        lists_api.router,
        loop_api.router,
        outbox_api.router,
        deadlines_api.router,
        objections_api.router,
        repair_api.router,
        commitments_api.router,
        evaluation_api.router,
        tips_api.router,
        government_api.router,
        market_api.router,
        reports_api.router,
        exchange_api.router,
    ):
        app.include_router(router, prefix="/api/v1", responses=errors.ERROR_RESPONSES)
    return app
