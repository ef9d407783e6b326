"""`hocvuso demo`: placeholder until the statistics work lands
(replaced by bot/commands/demo.py of that work)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="not available yet")
    p.add_argument("rest", nargs="*")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    print("hocvuso demo: not available in this build yet", file=sys.stderr)
    return 2
