"""The `hocvuso` command (also `python -m bot`). See README for every subcommand."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from pydantic import ValidationError

from bot.commands import certificate, chat, content, db, demo, invite, role, run, stats, zalo_oa
from bot.config import Settings, settings_problems
from bot.content.loader import ContentError
from bot.observability import setup_logging

COMMANDS = (run, chat, content, db, invite, role, stats, demo, zalo_oa, certificate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hocvuso", description="Chatbot «Bình dân học vụ số»: Telegram, Zalo and console."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or [])])
    try:
        settings = Settings()
    except ValidationError as err:
        for problem in settings_problems(err):
            print(f"hocvuso: invalid setting {problem}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format)
    func: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]] = args.func
    try:
        return asyncio.run(func(args, settings))
    except ContentError as err:
        print("Content is invalid; fix these and try again:", file=sys.stderr)
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
