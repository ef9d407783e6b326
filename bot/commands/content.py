"""`hocvuso content check`: validate lessons and places; prints `file:field: problem`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.content.loader import ContentError, load_catalog
from bot.content.places import load_places


def add_parser(sub: Any) -> None:
    p = sub.add_parser("content", help="lesson content tools")
    p.add_argument("action", choices=["check"], help="check: validate every lesson and places.yaml")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    problems: list[str] = []
    catalog = None
    try:
        catalog = load_catalog(settings.lessons_dir)
    except ContentError as err:
        problems += err.problems
    try:
        load_places(settings.places_file)
    except ContentError as err:
        problems += err.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    assert catalog is not None
    print(f"OK: {len(catalog.lessons)} lessons ({len(catalog.core_ids)} core), places valid.")
    return 0
