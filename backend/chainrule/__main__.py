"""Command line: `python -m chainrule serve --host H --port P`."""

from __future__ import annotations

import argparse

from chainrule.settings import ServerSettings


def main(argv: list[str] | None = None) -> None:
    defaults = ServerSettings.from_env()
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the app and its API")
    serve.add_argument("--host", default=defaults.host, help="address to bind (env HOST)")
    serve.add_argument("--port", type=int, default=defaults.port, help="port (env PORT)")
    args = parser.parse_args(argv)

    import uvicorn

    from chainrule.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
