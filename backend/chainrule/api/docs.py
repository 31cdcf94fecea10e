"""The API's documentation pages, /docs (Swagger UI) and /redoc, with their scripts and
styles served by the app from frontend/vendor/ rather than a CDN: they work with no
internet, as the classroom set-up promises (FastAPI's own pages load from jsdelivr)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/vendor/swagger-ui"
REDOC = "/vendor/redoc"
FAVICON = f"{SWAGGER_UI}/favicon-32x32.png"

router = APIRouter(include_in_schema=False)


def _openapi_url(request: Request) -> str:
    return str(request.app.openapi_url)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json; "Try it out" posts to this server."""
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        # No badge from validator.swagger.io: the page makes no request off this server.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, in the system's fonts (no Google Fonts)."""
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} API reference",
        redoc_js_url=f"{REDOC}/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
