"""Command line: `python -m chainrule serve --host H --port P [--workers N ...]`."""

from __future__ import annotations

import argparse
import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chainrule.heap import map_large_buffers_alone
from chainrule.settings import OPTIONS, RETIRED, Option, ServerSettings, SettingsError, parse


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
    # The pool's own lines (a worker that failed to start), formatted as uvicorn's.
    config["loggers"]["chainrule.pool"] = {"handlers": ["default"], "level": "INFO",
                                           "propagate": False}
    return config


def _retired_flag(env: str) -> str:
    return "--" + env.removeprefix("CHAINRULE_").lower().replace("_", "-")


def _open(parser: argparse.ArgumentParser, program: Path, out: Path | None) -> None:
    if not program.is_file():
        parser.error(f"{program}: no such file")
    from chainrule.inprocess.opener import open_program

    written = open_program(program, out, browse=out is None)
    print(f"chainrule: wrote {written}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    try:
        defaults = ServerSettings.from_env()
    except SettingsError as exc:
        parser.error(str(exc))
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the app and its API")
    for env in RETIRED:  # refused with the message that says what to set instead
        serve.add_argument(_retired_flag(env), dest=env, help=argparse.SUPPRESS)
    for option in OPTIONS:
        flag = "--" + option.field.replace("_", "-")
        serve.add_argument(flag, dest=option.field, default=getattr(defaults, option.field),
                           type=_parser(option),
                           help=f"{option.help} (env {option.env}; default %(default)s)")
    opener = commands.add_parser(
        "open", help="run a Python file of your own in-process, record its autograd and open "
                     "the player in the browser (runs the file as `python FILE` would)")
    opener.add_argument("program", type=Path, help="the Python file to run and record")
    opener.add_argument("--out", type=Path, default=None,
                        help="write the player's HTML here instead of opening a browser")
    args = parser.parse_args(argv)
    if args.command == "open":
        _open(parser, args.program, args.out)
        return
    for env, message in RETIRED.items():
        if getattr(args, env) is not None:
            parser.error(message)
    settings = dataclasses.replace(
        defaults, **{o.field: getattr(args, o.field) for o in OPTIONS})
    try:
        settings.check()
    except SettingsError as exc:
        parser.error(str(exc))

    map_large_buffers_alone()

    import uvicorn

    from chainrule.app import create_app
    from chainrule.protocol import with_deadlines

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", log_config=log_config(), access_log=False,
                http=with_deadlines(settings.header_timeout_s, settings.body_timeout_s,
                                    settings.send_timeout_s),
                proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)


if __name__ == "__main__":
    main()
