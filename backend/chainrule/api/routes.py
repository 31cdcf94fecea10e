"""HTTP routes: translate requests into core calls and results into responses, nothing else."""

from __future__ import annotations

import dataclasses
import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from chainrule.api.schemas import (
    ErrorOut,
    ExampleOut,
    HealthOut,
    LessonOut,
    TraceOut,
    TraceRequest,
)
from chainrule.content.examples import EXAMPLES
from chainrule.content.lessons import LESSONS
from chainrule.sandbox.pool import WorkerPool

router = APIRouter(prefix="/api/v1")

_ERRORS = {
    422: {"model": ErrorOut, "description": "The program can't be run or the request is invalid."}
}


@router.get("/health", response_model=HealthOut, summary="Is the service up?")
async def health() -> HealthOut:
    return HealthOut(status="ok")


@router.post(
    "/trace",
    response_model=TraceOut,
    responses=_ERRORS,  # type: ignore[arg-type]
    summary="Run a program and return its autograd graph with values and gradients",
)
async def trace(body: TraceRequest, request: Request) -> Response:
    pool: WorkerPool = request.app.state.pool
    variables = {k: v.model_dump() for k, v in body.variables.items()}
    info: dict[str, object] = {
        "source_sha256": hashlib.sha256(body.source.encode()).hexdigest()[:16]}
    request.state.log = info
    result = await run_in_threadpool(pool.run, body.source, variables, body.output, info)
    return Response(result, media_type="application/json")


@router.get("/examples", response_model=list[ExampleOut], summary="The examples menu")
async def examples() -> list[dict[str, object]]:
    return [dataclasses.asdict(e) for e in EXAMPLES]


@router.get("/lessons", response_model=list[LessonOut], summary="The guided lessons")
async def lessons() -> list[dict[str, object]]:
    return [dataclasses.asdict(lesson) for lesson in LESSONS]
