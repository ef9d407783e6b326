"""Engine throughput: simulated residents doing full journeys, against a bare one-read-one-write handler.

Prints events/s, p50/p99 latency and CPU per event of the real engine (consent → place → lesson → quiz → progress,
many residents at once), then the same for a baseline handler that does one SELECT and one UPDATE per
event on the same database, and the ratio engine/baseline (goal ≥ 0.5); then the CPU cost of a
lesson-step turn alone (`time.process_time()` over `--step-turns`, default 1,000, one at a time).

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
from bot.messages import Button, Incoming, Kind, Reply
from bot.runtime import Runtime

# What the baseline "shows"; it taps the first button where the engine has the labelled one.
ALL_LABELS = ((Button("Đồng ý", "x"), Button("Tiếp", "x")),)


Script = list[tuple[Kind, str]]  # (TEXT, what to type) or (BUTTON, part of the label to tap)


def journey(runtime: Runtime) -> Script:
    """One resident's full journey, tapping buttons by their labels (payloads are the engine's business)."""
    lesson = runtime.app_ctx.catalog.lessons["vneid-kich-hoat"]
    tap = Kind.BUTTON
    script: Script = [(Kind.TEXT, "/start"), (tap, "Đồng ý"), (tap, "Hà Long"), (tap, "Thôn 3"),
                      (Kind.TEXT, "cai vneid"), (tap, lesson.title[:30])]
    script += [(tap, "Tiếp")] * (len(lesson.steps) - 1)
    script.append((tap, "Làm bài kiểm tra"))
    script += [(tap, q.choices[q.answer]) for q in lesson.quiz.questions]
    script.append((tap, "Tiến độ"))
    return script


def lesson_steps(runtime: Runtime, taps: int) -> Script:
    """Into a lesson, then `taps` step turns (forward to the last step and back again)."""
    lesson = runtime.app_ctx.catalog.lessons["vneid-kich-hoat"]
    script = journey(runtime)[:6]
    span = len(lesson.steps) - 1
    for i in range(taps):
        script.append((Kind.BUTTON, "Tiếp" if (i // span) % 2 == 0 else "Quay lại"))
    return script


class Resident:
    """Walks a script through `handle`, picking buttons from the last replies."""

    def __init__(self, name: str, script: Script, strict: bool = True) -> None:
        self.name, self.script, self.strict, self.seq, self.shown = name, script, strict, 0, list[Button]()

    def event(self, kind: Kind, value: str) -> Incoming:
        self.seq += 1
        update_id = f"{self.name}:{self.seq}"
        if kind == Kind.TEXT:
            return Incoming("bench", self.name, kind, text=value, update_id=update_id)
        button = next((b for b in self.shown if value in b.label), None if self.strict else self.shown[0])
        if button is None:
            raise RuntimeError(f"{self.name}: no button {value!r} in {[b.label for b in self.shown]}")
        return Incoming("bench", self.name, kind, payload=button.payload, update_id=update_id)

    def saw(self, replies: list[Reply]) -> None:
        with_buttons = [r for r in replies if r.buttons]
        if with_buttons:
            self.shown = with_buttons[-1].all_buttons()


async def drive(
    residents: list[Resident], handle: Callable[[Incoming], Awaitable[list[Reply]]], concurrency: int,
    measured_from: int = 0,
) -> tuple[float, list[float], float]:
    """Walk every resident's script, `concurrency` residents at a time; returns (seconds, latencies,
    CPU seconds of this process). Only events from index `measured_from` of each script are timed."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(resident: Resident) -> None:
        async with gate:
            for index, (kind, value) in enumerate(resident.script):
                t0 = time.perf_counter()
                resident.saw(await handle(resident.event(kind, value)))
                if index >= measured_from:
                    latencies.append(time.perf_counter() - t0)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(r) for r in residents))
    return time.perf_counter() - start, latencies, time.process_time() - cpu


def report(name: str, seconds: float, latencies: list[float], cpu: float) -> float:
    rate = len(latencies) / seconds
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<9} {len(latencies):>6} events  {rate:>8.1f} events/s  "
        f"p50 {q[49] * 1000:6.2f} ms  p99 {q[98] * 1000:6.2f} ms  CPU {cpu / len(latencies) * 1000:.2f} ms/event"
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
            script = journey(runtime)
            await drive([Resident(f"w{i}", script) for i in range(args.residents)], runtime.handle, args.concurrency)
            async with runtime.sessionmaker() as session:
                ids = list(await session.scalars(select(User.id).where(User.channel == "bench")))

            async def bare(event: Incoming) -> list[Reply]:
                """Baseline: one read and one write per event, in one transaction."""
                async with runtime.sessionmaker() as session, session.begin():
                    uid = ids[hash(event.user_id) % len(ids)]
                    await session.scalar(select(User.village_id).where(User.id == uid))
                    await session.execute(update(User).where(User.id == uid).values(last_seen_at=utcnow()))
                return [Reply("ok", buttons=ALL_LABELS)]

            # Alternate the two in rounds so that load from other processes hits both alike.
            engine_runs, base_runs = [], []
            for r in range(args.rounds):
                engine_runs.append(await drive([Resident(f"r{r}-{i}", script) for i in range(args.residents)],
                                               runtime.handle, args.concurrency))
                baseline = [Resident(f"b{r}-{i}", script, strict=False) for i in range(args.residents)]
                base_runs.append(await drive(baseline, bare, args.concurrency))
            engine_rate = report("engine", *engine_runs[_median_index(engine_runs)])
            base_rate = report("baseline", *base_runs[_median_index(base_runs)])
            print(f"ratio engine/baseline: {engine_rate / base_rate:.2f} (goal >= 0.5; median of {args.rounds} rounds)")
            # A lesson-step turn alone (the common turn), one resident at a time: CPU per turn.
            residents = [Resident(f"s{i}", lesson_steps(runtime, args.step_turns // 10)) for i in range(10)]
            seconds, latencies, cpu = await drive(residents, runtime.handle, 1, measured_from=6)
            report("step", seconds, latencies, cpu)
            print(f"lesson-step turn: {cpu / len(latencies) * 1000:.2f} ms CPU per turn over {len(latencies)} turns "
                  f"(time.process_time(); goal about 1 ms)")
        finally:
            await runtime.close()


def _median_index(runs: list[tuple[float, list[float], float]]) -> int:
    rates = [len(lat) / sec for sec, lat, _ in runs]
    return sorted(range(len(rates)), key=rates.__getitem__)[len(rates) // 2]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--step-turns", type=int, default=1000, help="lesson-step turns timed for CPU per turn")
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
