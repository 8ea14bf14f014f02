"""`python -m bench run --scale small|medium|full [--fraction 0.1,1.0] [--peer CHECKOUT]`;
`python -m bench sensors …` (the sensing simulator, bench/sensors.py)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sensors"]:  # the sensing simulator and benchmark (bench/sensors.py)
        from bench import sensors

        return sensors.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="build the city and measure every figure")
    run.add_argument("--scale", choices=["small", "medium", "full"], default="small")
    run.add_argument(
        "--fraction",
        default="1.0",
        help="comma-separated shares of the city to measure, e.g. 0.1,0.5,1.0 (growth columns)",
    )
    run.add_argument("--skip-http", action="store_true", help="in-process figures only")
    run.add_argument(
        "--in-process",
        action="store_true",
        help="call the ASGI application in this process instead of the production server",
    )
    run.add_argument("--output", default="var/bench", help="where the JSON and Markdown go")
    run.add_argument(
        "--peer",
        metavar="CHECKOUT",
        help="a checkout of another Open311 server (Django + DRF, e.g. 6aika/issue-reporting) "
        "to measure side by side: its own database on the same PostgreSQL, the same rows",
    )
    run.add_argument(
        "--peer-python",
        metavar="PYTHON",
        help="the interpreter of the peer's virtualenv (default: CHECKOUT/.venv/bin/python)",
    )
    shown = commands.add_parser("report", help="print the Markdown table of the last run")
    shown.add_argument("--output", default="var/bench", help="where the run wrote its JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # With DATABASE_URL set DEBUG is off, which needs a key; the servers it starts get this one.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from bench import report, runner

    if args.command == "report":
        print(report.markdown(report.read(args.output)))
        return 0
    fractions = [float(x) for x in args.fraction.split(",") if x.strip()]
    peer = None
    if args.peer:
        from bench.peer import Peer

        if args.skip_http or args.in_process:
            parser.error("--peer compares servers over HTTP: not with --skip-http or --in-process")
        peer = Peer.from_arguments(args.peer, args.peer_python)
    results = runner.run(
        args.scale,
        fractions=fractions,
        http=not args.skip_http,
        use_server=not args.in_process,
        output=args.output,
        peer=peer,
    )
    print(report.markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
