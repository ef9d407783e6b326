"""`hocvuso demo seed [--residents N] [--seed S]`: realistic demo data for the dashboard and reports."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.runtime import open_runtime
from bot.services.demo import MAX_RESIDENTS, seed_demo


def _residents(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= n <= MAX_RESIDENTS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_RESIDENTS}")
    return n


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="demo data")
    p.add_argument("action", choices=["seed"], help="seed: replace the demo residents, progress and classes")
    p.add_argument("--residents", type=_residents, default=600, help="number of demo residents (default 600)")
    p.add_argument("--seed", type=int, default=2025, help="random seed (same seed, same data)")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session, session.begin():
        app = runtime.app_ctx
        summary = await seed_demo(session, app, args.residents, app.clock(), seed=args.seed)
    print(
        f"Demo data: {summary.residents} residents, {summary.completions} lesson completions, "
        f"{summary.quiz_attempts} quiz attempts, {summary.classes} classes, {summary.attendance} attendances "
        f"(channel 'demo'; running it again replaces them)."
    )
    if not app.places.demo:
        print(
            "Note: content/places.yaml is not marked demo; demo residents were added to real villages.", file=sys.stderr
        )
    return 0
