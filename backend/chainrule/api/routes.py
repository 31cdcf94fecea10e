"""HTTP routes: translate requests into core calls and results into responses, nothing else.

Two versions of the API, the same in all but the trace's form: /api/v1 writes each tensor
wherever it is shown; /api/v2 writes each distinct tensor once, in `tensors`, and its index
wherever it is shown (docs/api.md, "Migrating from v1").
"""

from __future__ import annotations

import hashlib
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from chainrule.api.capacity import run_trace
from chainrule.api.schemas import (
    ErrorOut,
    ErrorOutV2,
    ExampleOut,
    HealthOut,
    LessonOut,
    TraceOut,
    TraceOutV2,
    TraceRequest,
)
from chainrule.api.sharing import SHARE_HEADER, SharedTraces, job_key, keeps
from chainrule.content.examples import EXAMPLES
from chainrule.content.lessons import LESSONS
from chainrule.pipeline import TraceJob
from chainrule.settings import ServerSettings
from chainrule.standalone import player_shell

router = APIRouter()

# Every error status the API answers with, for the OpenAPI document; the codes behind
# each are in docs/configuration.md and api/errors.py.


def _rate_limited(error: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {429: {"model": error, "description": "rate_limited: too many requests from this "
                  "address; the Retry-After header says when to try again."}}


def _errors(error: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {
        413: {"model": error, "description": "body_too_large: the body passed the size limit."},
        415: {"model": error, "description": "unsupported_media_type: the body was not JSON."},
        422: {"model": error, "description": "The program can't be run or the request is "
              "invalid (malformed_json, invalid_request, or a program error; limit_exceeded "
              "when the response would pass its size limit)."},
        **_rate_limited(error),
        503: {"model": error, "description": "overloaded or worker_crashed: try again after "
              "the Retry-After header's seconds."},
    }


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (RFC 9110 section 12.5.3): its own
    entry's q if it has one, else `*`'s, above 0."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[coding.lower()] = q
    return weights.get("gzip", weights.get("*", 0.0)) > 0


async def _trace(body: TraceRequest, request: Request, api: int) -> Response:
    settings: ServerSettings = request.app.state.settings
    job = TraceJob(body.source, {k: v.model_dump() for k, v in body.variables.items()},
                   body.output, body.check, api=api, max_bytes=settings.max_response_bytes,
                   compress=accepts_gzip(request.headers.get("accept-encoding", "")),
                   call=body.call)
    info: dict[str, object] = {
        "source_sha256": hashlib.sha256(body.source.encode()).hexdigest()[:16]}
    request.state.log = info
    if request.headers.get(SHARE_HEADER) == "1":
        # A class's students trace their teacher's program at once: it runs once.
        shared_traces: SharedTraces = request.app.state.shared_traces
        result, shared = await shared_traces.run(
            job_key(job), lambda: run_trace(request, job, info), keep=keeps(job))
        info["shared"] = shared
    else:
        result = await run_trace(request, job, info)
    headers = {"vary": "accept-encoding"}
    if result.encoding:
        headers["content-encoding"] = result.encoding
    return Response(result.body, media_type="application/json", headers=headers)


def _versioned(version: int, trace_out: type[BaseModel], error: type[BaseModel]) -> APIRouter:
    """One version's routes: health, trace (its form), examples, lessons."""
    api = APIRouter(prefix=f"/api/v{version}")

    @api.get("/health", response_model=HealthOut, responses=_rate_limited(error),
             summary="Is the service up?")
    async def health() -> HealthOut:
        return HealthOut(status="ok")

    @api.post(
        "/trace",
        response_model=trace_out,
        responses=_errors(error),
        summary="Run a program and return its autograd graph with values and gradients",
        description="With `Accept-Encoding: gzip` the body comes gzip-compressed. A body "
        "larger than the server's limit (CHAINRULE_MAX_RESPONSE_BYTES) is refused: "
        "422 limit_exceeded, saying what made it large." + (
            " Each distinct tensor is written once, in `tensors`; every other field refers "
            "to one by its index there." if version >= 2 else ""),
    )
    async def trace(body: TraceRequest, request: Request) -> Response:
        return await _trace(body, request, version)

    @api.get("/examples", response_model=list[ExampleOut], summary="The examples menu")
    async def examples() -> list[ExampleOut]:
        return list(EXAMPLES)

    @api.get("/lessons", response_model=list[LessonOut], summary="The guided lessons")
    async def lessons() -> list[LessonOut]:
        return list(LESSONS)

    return api


router.include_router(_versioned(1, TraceOut, ErrorOut))
router.include_router(_versioned(2, TraceOutV2, ErrorOutV2))


@router.get(
    "/api/v2/player",
    response_class=Response,  # its errors are JSON: HTMLResponse would document them as HTML
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                     "description": "The document."},
               **_rate_limited(ErrorOutV2)},
    summary="The offline player, without a trace",
    description="One HTML document holding the page's player, which works from file:// "
    "with no server and no network once a trace is put in it: the page's Export menu puts "
    "the trace on screen where the document says `<!--chainrule:embedded-->` (docs/api.md).",
)
async def player() -> Response:
    # Built once (~0.3 s: compressing the scripts), off the event loop; cached after.
    return HTMLResponse(await anyio.to_thread.run_sync(player_shell))
