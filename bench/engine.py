"""Engine throughput: simulated residents doing full journeys, against a bare one-read-one-write handler.

Prints events/s and p50/p99 latency of the real engine (consent → place → lesson → quiz → progress,
many residents at once), then the same for a baseline handler that does one SELECT and one UPDATE per
event on the same database, and the ratio engine/baseline (goal ≥ 0.5).

    .venv/bin/python bench/engine.py [--residents 200] [--concurrency 20] [--rounds 3] [--database-url URL]

Without --database-url it uses a fresh SQLite file; with a postgresql+asyncpg URL it uses that
database (it must be empty or disposable: the bench creates its tables through the migrations).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import select, update

from bot.config import PROJECT_ROOT, Settings
from bot.db.models import User
from bot.db.types import utcnow
from bot.messages import Incoming, Kind
from bot.runtime import Runtime


def journey(runtime: Runtime, resident: str) -> list[Incoming]:
    """The events of one resident's full journey (as button taps, the common case)."""
    lesson = runtime.app_ctx.catalog.lessons["vneid-kich-hoat"]
    seq = iter(range(1_000_000))

    def ev(kind: Kind, value: str) -> Incoming:
        text, payload = (value, None) if kind == Kind.TEXT else (None, value)
        return Incoming("bench", resident, kind, text=text, payload=payload, update_id=f"{resident}:{next(seq)}")

    events = [ev(Kind.TEXT, "/start"), ev(Kind.BUTTON, "c:yes"), ev(Kind.BUTTON, "cm:ha-long")]
    events += [ev(Kind.BUTTON, "v:ha-long-thon-3"), ev(Kind.TEXT, "cai vneid"), ev(Kind.BUTTON, f"l:{lesson.id}")]
    events += [ev(Kind.BUTTON, "n:next") for _ in lesson.steps[1:]]
    events.append(ev(Kind.BUTTON, f"qz:{lesson.id}"))
    events += [ev(Kind.BUTTON, f"q:{i}:{q.answer}") for i, q in enumerate(lesson.quiz.questions)]
    events.append(ev(Kind.BUTTON, "m:progress"))
    return events


async def drive(
    streams: list[list[Incoming]], handle: Callable[[Incoming], Awaitable[object]], concurrency: int
) -> tuple[float, list[float]]:
    """Run each stream in order, `concurrency` streams at a time; returns (seconds, latencies)."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(stream: list[Incoming]) -> None:
        async with gate:
            for event in stream:
                t0 = time.perf_counter()
                await handle(event)
                latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(one(s) for s in streams))
    return time.perf_counter() - start, latencies


def report(name: str, seconds: float, latencies: list[float]) -> float:
    rate = len(latencies) / seconds
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<9} {len(latencies):>6} events  {rate:>8.1f} events/s  "
        f"p50 {q[49] * 1000:6.2f} ms  p99 {q[98] * 1000:6.2f} ms"
    )
    return rate


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            content_dir=PROJECT_ROOT / "content",
        )
        runtime = await Runtime.create(settings)
        try:
            print(f"database: {url.split(':', 1)[0]}, residents: {args.residents}, concurrency: {args.concurrency}")
            # Warm-up round creates the residents the baseline reads and writes.
            await drive([journey(runtime, f"w{i}") for i in range(args.residents)], runtime.handle, args.concurrency)
            async with runtime.sessionmaker() as session:
                ids = list(await session.scalars(select(User.id).where(User.channel == "bench")))

            async def bare(event: Incoming) -> None:
                """Baseline: one read and one write per event, in one transaction."""
                async with runtime.sessionmaker() as session, session.begin():
                    uid = ids[hash(event.user_id) % len(ids)]
                    await session.scalar(select(User.village_id).where(User.id == uid))
                    await session.execute(update(User).where(User.id == uid).values(last_seen_at=utcnow()))

            # Alternate the two in rounds so that load from other processes hits both alike.
            engine_runs, base_runs = [], []
            for r in range(args.rounds):
                streams = [journey(runtime, f"r{r}-{i}") for i in range(args.residents)]
                engine_runs.append(await drive(streams, runtime.handle, args.concurrency))
                base_runs.append(await drive(streams, bare, args.concurrency))
            engine_rate = report("engine", *engine_runs[_median_index(engine_runs)])
            base_rate = report("baseline", *base_runs[_median_index(base_runs)])
            print(f"ratio engine/baseline: {engine_rate / base_rate:.2f} (goal >= 0.5; median of {args.rounds} rounds)")
        finally:
            await runtime.close()


def _median_index(runs: list[tuple[float, list[float]]]) -> int:
    rates = [len(lat) / sec for sec, lat in runs]
    return sorted(range(len(rates)), key=rates.__getitem__)[len(rates) // 2]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
