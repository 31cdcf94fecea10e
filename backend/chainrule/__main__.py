"""Command line: `python -m chainrule serve --host H --port P [--workers N ...]`."""

from __future__ import annotations

import argparse
import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from chainrule.settings import OPTIONS, Option, ServerSettings, parse


def _parser(option: Option) -> Callable[[str], object]:
    def parse_text(text: str) -> object:
        return parse(option, text)
    return parse_text


def log_config() -> dict[str, Any]:
    """uvicorn's logging plus the request log: one JSON line per request, on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["request"] = {"format": "%(message)s"}
    config["handlers"]["request"] = {"class": "logging.StreamHandler", "formatter": "request",
                                     "stream": "ext://sys.stderr"}
    config["loggers"]["chainrule.requests"] = {"handlers": ["request"], "level": "INFO",
                                               "propagate": False}
    return config


def main(argv: list[str] | None = None) -> None:
    defaults = ServerSettings.from_env()
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the app and its API")
    for option in OPTIONS:
        flag = "--" + option.field.replace("_", "-")
        serve.add_argument(flag, dest=option.field, default=getattr(defaults, option.field),
                           type=_parser(option),
                           help=f"{option.help} (env {option.env}; default %(default)s)")
    args = parser.parse_args(argv)
    settings = dataclasses.replace(
        defaults, **{o.field: getattr(args, o.field) for o in OPTIONS})

    import uvicorn

    from chainrule.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", log_config=log_config(), access_log=False)


if __name__ == "__main__":
    main()
