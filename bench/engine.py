"""Engine throughput: simulated residents doing full journeys, against a bare one-read-one-write handler.

Prints events/s, p50/p99 latency and CPU per event of the real engine (consent → place → lesson → quiz → progress,
many residents at once), then the same for a baseline handler that does one SELECT and one UPDATE per
event on the same database, and the ratio engine/baseline (goal ≥ 0.5); then the CPU cost of a
lesson-step turn alone (`time.process_time()` over `--step-turns`, default 1,000, one at a time; the
median of `--step-rounds`), next to the bare handler's CPU per event measured the same way, their
ratio, and the SQL statements a step turn sends (BEGIN and COMMIT counted apart).

    .venv/bin/python bench/engine.py [--residents 200] [--concurrency 20] [--rounds 3] [--database-url URL]
    .venv/bin/python bench/engine.py --steps-only [--step-rounds 5]   # the lesson-step CPU figures alone

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

from sqlalchemy import event, select, update

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
            residents = args.residents if not args.steps_only else 10
            await drive([Resident(f"w{i}", script) for i in range(residents)], runtime.handle, args.concurrency)
            async with runtime.sessionmaker() as session:
                ids = list(await session.scalars(select(User.id).where(User.channel == "bench")))

            async def bare(event: Incoming) -> list[Reply]:
                """Baseline: one read and one write per event, in one transaction."""
                async with runtime.sessionmaker() as session, session.begin():
                    uid = ids[hash(event.user_id) % len(ids)]
                    await session.scalar(select(User.village_id).where(User.id == uid))
                    await session.execute(update(User).where(User.id == uid).values(last_seen_at=utcnow()))
                return [Reply("ok", buttons=ALL_LABELS)]

            if not args.steps_only:
                # Alternate the two in rounds so that load from other processes hits both alike.
                engine_runs, base_runs = [], []
                for r in range(args.rounds):
                    engine_runs.append(await drive([Resident(f"r{r}-{i}", script) for i in range(args.residents)],
                                                   runtime.handle, args.concurrency))
                    baseline = [Resident(f"b{r}-{i}", script, strict=False) for i in range(args.residents)]
                    base_runs.append(await drive(baseline, bare, args.concurrency))
                engine_rate = report("engine", *engine_runs[_median_index(engine_runs)])
                base_rate = report("baseline", *base_runs[_median_index(base_runs)])
                print(f"ratio engine/baseline: {engine_rate / base_rate:.2f} "
                      f"(goal >= 0.5; median of {args.rounds} rounds)")
            await step_cpu(runtime, bare, args.step_turns, args.step_rounds)
        finally:
            await runtime.close()


async def step_cpu(
    runtime: Runtime, bare: Callable[[Incoming], Awaitable[list[Reply]]], turns: int, rounds: int
) -> None:
    """CPU per lesson-step turn, one resident at a time, against the bare handler the same way (medians
    of `rounds`, alternated); then the statements one step turn sends."""
    step_runs, bare_runs = [], []
    for r in range(rounds):
        residents = [Resident(f"s{r}-{i}", lesson_steps(runtime, turns // 10)) for i in range(10)]
        for resident in residents:  # into the lesson first: only the step turns are timed
            for kind, value in resident.script[:6]:
                resident.saw(await runtime.handle(resident.event(kind, value)))
            resident.script = resident.script[6:]
        step_runs.append(await drive(residents, runtime.handle, 1))
        plain = [Resident(f"p{r}-{i}", [(Kind.TEXT, "x")] * (turns // 10)) for i in range(10)]
        bare_runs.append(await drive(plain, bare, 1))
    step = statistics.median(cpu / len(lat) for _, lat, cpu in step_runs)
    base = statistics.median(cpu / len(lat) for _, lat, cpu in bare_runs)
    report("step", *step_runs[_median_index(step_runs)])
    print(f"lesson-step turn: {step * 1000:.2f} ms CPU per turn over {len(step_runs[0][1])} turns, "
          f"bare one-read-one-write {base * 1000:.2f} ms, ratio {step / base:.2f} "
          f"(time.process_time(), median of {rounds} rounds; goal about 1 ms)")
    # Statements of one step turn, counted outside the timed rounds (the listener costs CPU).
    sent: list[str] = []
    transactions = [0]

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    def begun(_conn: object) -> None:
        transactions[0] += 1

    sync_engine = runtime.db.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    event.listen(sync_engine, "begin", begun)
    resident = Resident("count", lesson_steps(runtime, 100))
    for kind, value in resident.script[:6]:
        resident.saw(await runtime.handle(resident.event(kind, value)))
    sent.clear()
    transactions[0] = 0
    for kind, value in resident.script[6:]:
        resident.saw(await runtime.handle(resident.event(kind, value)))
    event.remove(sync_engine, "before_cursor_execute", count)
    event.remove(sync_engine, "begin", begun)
    n = len(resident.script) - 6
    sql = [s for s in sent if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    print(f"lesson-step turn: {len(sql) / n:.2f} SQL statements per turn, "
          f"in {transactions[0] / n:.2f} transactions (each also a BEGIN and a COMMIT)")


def _median_index(runs: list[tuple[float, list[float], float]]) -> int:
    rates = [len(lat) / sec for sec, lat, _ in runs]
    return sorted(range(len(rates)), key=rates.__getitem__)[len(rates) // 2]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--step-turns", type=int, default=1000, help="lesson-step turns timed for CPU per turn")
    parser.add_argument("--step-rounds", type=int, default=5, help="rounds of --step-turns (the median is shown)")
    parser.add_argument("--steps-only", action="store_true", help="only the lesson-step CPU figures")
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
