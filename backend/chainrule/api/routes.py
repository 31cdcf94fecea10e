"""HTTP routes: translate requests into core calls and results into responses, nothing else."""

from __future__ import annotations

import hashlib
from typing import Any

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
from chainrule.pipeline import TraceJob
from chainrule.sandbox.pool import WorkerPool

router = APIRouter(prefix="/api/v1")

# Every error status /api/v1 answers with, for the OpenAPI document; the codes behind
# each are in docs/configuration.md and api/errors.py.
_RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "rate_limited: too many requests from this "
          "address; the Retry-After header says when to try again."},
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "body_too_large: the body passed the size limit."},
    415: {"model": ErrorOut, "description": "unsupported_media_type: the body was not JSON."},
    422: {"model": ErrorOut, "description": "The program can't be run or the request is "
          "invalid (malformed_json, invalid_request, or a program error)."},
    **_RATE_LIMITED,
    503: {"model": ErrorOut, "description": "overloaded or worker_crashed: try again after "
          "the Retry-After header's seconds."},
}


@router.get("/health", response_model=HealthOut, responses=_RATE_LIMITED,
            summary="Is the service up?")
async def health() -> HealthOut:
    return HealthOut(status="ok")


@router.post(
    "/trace",
    response_model=TraceOut,
    responses=_ERRORS,
    summary="Run a program and return its autograd graph with values and gradients",
)
async def trace(body: TraceRequest, request: Request) -> Response:
    pool: WorkerPool = request.app.state.pool
    job = TraceJob(body.source, {k: v.model_dump() for k, v in body.variables.items()},
                   body.output, body.check)
    info: dict[str, object] = {
        "source_sha256": hashlib.sha256(body.source.encode()).hexdigest()[:16]}
    request.state.log = info
    result = await run_in_threadpool(pool.run, job, info)
    return Response(result, media_type="application/json")


@router.get("/examples", response_model=list[ExampleOut], summary="The examples menu")
async def examples() -> list[ExampleOut]:
    return list(EXAMPLES)


@router.get("/lessons", response_model=list[LessonOut], summary="The guided lessons")
async def lessons() -> list[LessonOut]:
    return list(LESSONS)
