"""create_app(): the API routers, the error handlers and the static frontend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from chainrule.api.errors import install_error_handlers
from chainrule.api.routes import router
from chainrule.runner import warm_up


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(warm_up)
    yield

FRONTEND_DIR = Path(__file__).resolve().parents[2] / "frontend"


def create_app(frontend_dir: Path = FRONTEND_DIR) -> FastAPI:
    """The whole application; the frontend is served from `frontend_dir` when it exists."""
    app = FastAPI(
        title="chainrule",
        version="1.0.0",
        summary="Run a PyTorch program and get its real autograd graph, values and gradients.",
        docs_url="/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    install_error_handlers(app)
    app.include_router(router)
    if frontend_dir.is_dir():
        app.mount("/", StaticFiles(directory=frontend_dir, html=True), name="frontend")
    return app
