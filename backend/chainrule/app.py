"""create_app(): the API routers, the error handlers, the worker pool and the frontend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Mount
from starlette.types import Receive, Scope, Send

from chainrule.api import docs
from chainrule.api.admission import RateLimiter
from chainrule.api.capacity import TraceSlots
from chainrule.api.errors import install_error_handlers
from chainrule.api.middleware import EdgeMiddleware
from chainrule.api.roomlink import router as room_link_router
from chainrule.api.rooms import classroom
from chainrule.api.rooms import router as rooms_router
from chainrule.api.routes import router
from chainrule.api.sharing import SharedTraces
from chainrule.sandbox.pool import WorkerPool
from chainrule.settings import ServerSettings


def _frontend_dir() -> Path:
    """The page's files: inside the installed package, or frontend/ in the source tree."""
    installed = Path(__file__).resolve().parent / "frontend"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "frontend"


FRONTEND_DIR = _frontend_dir()


PUBLIC_PATHS = ("/", "/index.html")
PUBLIC_FOLDERS = ("/css/", "/js/", "/vendor/")


class FrontendMount(Mount):
    """The page at /: index.html and what it loads from css/, js/ and vendor/, nothing else
    of frontend/ (in a source tree that holds node_modules, the tests and npm's files).
    Any other path, /api/ included, is the API's JSON 404 (or 405 with Allow: ...)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = str(scope.get("path", ""))
        if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_FOLDERS):
            return Match.NONE, {}
        return super().matches(scope)


class PageGZip(GZipMiddleware):
    """gzip for the page's files and the documentation, never for /api/: a trace is
    compressed by its worker (sandbox/worker.py), its CPU counted in the program's time; the
    web process would otherwise spend seconds of its own on a client's large response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: ServerSettings | None = None,
               frontend_dir: Path = FRONTEND_DIR) -> FastAPI:
    """The whole application; its worker pool starts and stops with the app's lifespan."""
    settings = settings or ServerSettings.from_env()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings)
        await run_in_threadpool(pool.start)
        app.state.pool = pool
        app.state.trace_slots = TraceSlots(settings.trace_slots())
        app.state.shared_traces = SharedTraces()
        try:
            yield
        finally:
            await app.state.classroom.rooms.store.close()
            await run_in_threadpool(pool.stop)

    app = FastAPI(
        title="chainrule",
        version="1.0.0",
        summary="Run a PyTorch program and get its real autograd graph, values and gradients.",
        docs_url=None,  # api/docs.py serves /docs and /redoc from frontend/vendor/
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.classroom = classroom(settings)  # classroom rooms: in memory, or in Redis
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(rooms_router)
    app.include_router(docs.router)
    app.include_router(room_link_router)  # /r/CODE: the students' link to a room
    app.add_middleware(PageGZip, minimum_size=1024, compresslevel=6)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes,
                       limiter=RateLimiter(settings.rate_per_minute, settings.rate_localhost))
    if frontend_dir.is_dir():
        app.router.routes.append(FrontendMount(
            "/", app=StaticFiles(directory=frontend_dir, html=True), name="frontend"))
    return app
