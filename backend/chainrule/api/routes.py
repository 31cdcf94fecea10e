"""HTTP routes: translate requests into core calls and results into responses, nothing else."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from chainrule.api.schemas import ErrorOut, HealthOut, TraceOut, TraceRequest
from chainrule.runner import trace_to_json

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
async def trace(request: TraceRequest) -> Response:
    variables = {k: v.model_dump() for k, v in request.variables.items()}
    body = await run_in_threadpool(trace_to_json, request.source, variables, request.output)
    return Response(body, media_type="application/json")
