"""Residents bench: K residents tapping through a lesson at once, `hocvuso run` vs a bare PTB bot.

Each resident is a closed loop (tap, wait for the reply with buttons, tap again) through
consent, commune, village, a search, a whole lesson (every step) and its quiz; then it starts
over as a new person. The client talks to the fake Bot API (tests/fakes/telegram_server.py, its
own process) through `/_fake/turn`, which queues the update and answers when the bot's next
message with inline buttons arrived: the latency is measured inside the fake, from the update
being available to getUpdates to the reply's buttons reaching "Telegram".

Two bots are driven by the same client, one after the other, for `--rounds` alternating rounds:
- ours: `hocvuso run` (a real subprocess, Telegram by long polling, its own web app, outbox
  sender and scheduler) on a fresh database;
- bare: python-telegram-bot as its docs teach (ApplicationBuilder defaults, `run_polling()`, one
  handler answering every update with a 3-button message), also a subprocess. It has no buttons
  of ours, so the client taps its first button where ours would have the labelled one.

    .venv/bin/python -m bench.residents [--residents 40] [--seconds 15] [--rounds 2]
        [--budget default|lifted] [--broadcast 10000]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1/bench]

`--budget lifted` sets TELEGRAM_RATE_OVERALL=100000 for our bot (the platform budget out of the
way); `default` keeps the shipped settings. `--broadcast N` enqueues an announcement to N other
recipients before our bot starts, so it runs during the residents' turns (its progress is printed).
`--database-url` with PostgreSQL: a fresh database named `<given name>_res_<pid>_<n>` is created on
that server for each run of ours and dropped afterwards. Prints turns/s, p50/p99 of the latency,
calls per turn by method and CPU per turn of the bot process, for both bots, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import PROJECT_ROOT, Settings
from bot.content.loader import load_catalog
from tests.fakes.process_cluster import free_port
from tests.fakes.telegram_server import DEFAULT_TOKEN

LESSON_ID = "vneid-kich-hoat"
LIFTED_RATE = "100000"
BROADCAST_FIRST_CHAT = 1  # broadcast recipients are chats 1..N; residents start far above
RESIDENT_FIRST_ID = 10_000_000
COUNTED = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument", "sendChatAction", "answerCallbackQuery")


# ---------------------------------------------------------------------------------------------
# The script a resident follows: ("text", what to type) or ("tap", part of a button's label).
# ---------------------------------------------------------------------------------------------
def journey() -> list[tuple[str, str]]:
    lesson = load_catalog(Settings().lessons_dir).lessons[LESSON_ID]  # type: ignore[call-arg]
    steps: list[tuple[str, str]] = [
        ("text", "/start"), ("tap", "Đồng ý"), ("tap", "Hà Long"), ("tap", "Thôn 3"),
        ("text", "cai vneid"), ("tap", lesson.title[:30]),
    ]
    steps += [("tap", "Tiếp")] * (len(lesson.steps) - 1)
    steps.append(("tap", "Làm bài kiểm tra"))
    steps += [("tap", q.choices[q.answer]) for q in lesson.quiz.questions]
    return steps


def _button(message: dict[str, Any], label: str, strict: bool) -> str | None:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [b for row in rows for b in row if "callback_data" in b]
    for button in buttons:
        if label in button["text"]:
            return str(button["callback_data"])
    if strict or not buttons:
        return None
    return str(buttons[0]["callback_data"])


@dataclass
class Turns:
    latencies: list[float] = field(default_factory=list)  # seconds, turns inside the window
    failures: list[str] = field(default_factory=list)
    journeys: int = 0


async def resident(http: aiohttp.ClientSession, fake_url: str, ids: Iterator[int], script: list[tuple[str, str]],
                   strict: bool, window: tuple[float, float], turns: Turns) -> None:
    """Walk the script again and again as new people until the window closes."""
    start, end = window
    while time.monotonic() < end:
        user_id = next(ids)
        message: dict[str, Any] = {}
        for kind, value in script:
            body: dict[str, Any] = {"user_id": user_id, "first_name": "Lan", "timeout": 30}
            if kind == "text":
                body["text"] = value
            else:
                data = _button(message, value, strict)
                if data is None:
                    turns.failures.append(f"no button {value!r} after {message.get('text', '')[:60]!r}")
                    break
                body.update(data=data, message_id=message["message_id"])
            began = time.monotonic()
            if began >= end:
                return
            async with http.post(f"{fake_url}/_fake/turn", json=body) as resp:
                answer = await resp.json()
            if not answer.get("ok"):
                turns.failures.append(f"{kind} {value!r}: {answer.get('description')}")
                break
            message = answer["message"]
            if began >= start:
                turns.latencies.append(float(answer["seconds"]))
        else:
            turns.journeys += 1


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Fake:
    def __init__(self, any_chat: bool, rate: float | None) -> None:
        cmd = [sys.executable, "-m", "tests.fakes.telegram_server", "--port", "0"]
        cmd += ["--any-chat"] if any_chat else []
        cmd += ["--rate-overall", str(rate)] if rate else []
        self.proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().split("listening on ", 1)[1].strip()

    async def counts(self, http: aiohttp.ClientSession) -> dict[str, int]:
        async with http.get(f"{self.url}/_fake/counts") as resp:
            return {k: int(v) for k, v in (await resp.json()).items()}

    async def broadcast_sent(self, http: aiohttp.ClientSession, recipients: int) -> int:
        async with http.get(f"{self.url}/_fake/calls?method=sendMessage") as resp:
            calls = await resp.json()
        return sum(1 for c in calls if c["status"] == 200 and int(c["params"]["chat_id"]) <= recipients)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


BARE_BOT = '''
import sys
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    keyboard = [[InlineKeyboardButton(f"Nút {i}", callback_data=str(i))] for i in range(1, 4)]
    await update.effective_chat.send_message("Chào bạn! Chọn một mục:", reply_markup=InlineKeyboardMarkup(keyboard))

app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2] + "/bot").build()
app.add_handler(TypeHandler(Update, answer))
app.run_polling(allowed_updates=Update.ALL_TYPES)
'''


def start_bot(cmd: list[str], workdir: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")}
    return subprocess.Popen(cmd, cwd=workdir, env={**keep, "PYTHONPATH": str(PROJECT_ROOT), **env},
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def wait_ready(http: aiohttp.ClientSession, fake: Fake, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until one probe turn by a throwaway user got buttons back (the bot polls and answers)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"bot exited with {proc.returncode}:\n{tail(log)}")
        probe = {"user_id": RESIDENT_FIRST_ID - 1, "text": "/start", "timeout": 5}
        async with http.post(f"{fake.url}/_fake/turn", json=probe) as resp:
            if (await resp.json()).get("ok"):
                return
    raise RuntimeError(f"bot never answered:\n{tail(log)}")


async def create_pg(url: str, name: str, drop: bool = False) -> str:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = await asyncpg.connect(user=parsed.username or "postgres", host=parsed.host or "127.0.0.1",
                                 port=parsed.port or 5432, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


async def seed(database_url: str, recipients: int) -> None:
    from bot.db.migrate import upgrade_head
    from bot.db.session import create_engine, create_sessionmaker
    from tests.support.outbox_worker import seed_broadcast

    engine = create_engine(database_url)
    try:
        await upgrade_head(engine)
        await seed_broadcast(create_sessionmaker(engine), recipients, "Thông báo: lớp học VNeID tối thứ Bảy")
    finally:
        await engine.dispose()


@dataclass
class Run:
    label: str
    turns: Turns
    seconds: float
    calls: dict[str, int]
    cpu: float
    broadcast_sent: int = 0

    @property
    def rate(self) -> float:
        return len(self.turns.latencies) / self.seconds

    def pct(self, q: float) -> float:
        data = sorted(self.turns.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")

    def line(self) -> str:
        n = max(1, len(self.turns.latencies))
        per_turn = ", ".join(f"{k} {self.calls.get(k, 0) / n:.2f}" for k in COUNTED if self.calls.get(k))
        out = (f"{self.label}: {self.rate:7.1f} turns/s, p50 {self.pct(0.5):6.1f} ms, p99 {self.pct(0.99):6.1f} ms, "
               f"{len(self.turns.latencies)} turns, {self.turns.journeys} journeys, CPU/turn "
               f"{self.cpu / n * 1000:.2f} ms; calls/turn: {per_turn}")
        if self.turns.failures:
            out += f"; {len(self.turns.failures)} FAILED turns, e.g. {self.turns.failures[0]}"
        if self.broadcast_sent:
            out += f"; broadcast sent {self.broadcast_sent} ({self.broadcast_sent / self.seconds:.1f}/s)"
        return out


async def drive(http: aiohttp.ClientSession, fake: Fake, proc: subprocess.Popen[bytes], label: str, strict: bool,
                args: argparse.Namespace, first_id: int, broadcast: int = 0) -> Run:
    script = journey()
    ids = itertools.count(first_id)
    before, cpu_before = await fake.counts(http), cpu_seconds(proc.pid)
    sent_before = await fake.broadcast_sent(http, broadcast) if broadcast else 0
    now = time.monotonic()
    window = (now + args.warmup, now + args.warmup + args.seconds)
    turns = Turns()
    await asyncio.gather(*(resident(http, fake.url, ids, script, strict, window, turns)
                           for _ in range(args.residents)))
    after, cpu = await fake.counts(http), cpu_seconds(proc.pid) - cpu_before
    calls = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    sent = await fake.broadcast_sent(http, broadcast) - sent_before if broadcast else 0
    # Calls and CPU include the warm-up's turns: scale them to the window's share of all turns.
    share = args.seconds / (args.seconds + args.warmup)
    return Run(label, turns, args.seconds, {k: round(v * share) for k, v in calls.items()}, cpu * share, sent)


async def run_ours(http: aiohttp.ClientSession, args: argparse.Namespace, workdir: Path, round_no: int) -> Run:
    fake = Fake(any_chat=bool(args.broadcast), rate=args.fake_rate)
    db_name = None
    if args.database_url:
        base = args.database_url.rsplit("/", 1)[1] or "bench"
        db_name = f"{base}_res_{os.getpid()}_{round_no}"
        database_url = await create_pg(args.database_url, db_name)
    else:
        database_url = f"sqlite+aiosqlite:///{workdir / f'ours-{round_no}.db'}"
    if args.broadcast:
        await seed(database_url, args.broadcast)
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_BASE_URL": fake.url, "DATABASE_URL": database_url,
           "WEB_PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "UPLOADS_DIR": str(workdir / "uploads"), "LOG_LEVEL": "WARNING"}
    if args.budget == "lifted":
        env["TELEGRAM_RATE_OVERALL"] = LIFTED_RATE
    log = workdir / f"ours-{round_no}.log"
    proc = start_bot([sys.executable, "-m", "bot", "run"], workdir, env, log)
    try:
        await wait_ready(http, fake, proc, log)
        label = f"ours ({database_url.split(':', 1)[0]}, budget {args.budget})"
        return await drive(http, fake, proc, label, True, args, RESIDENT_FIRST_ID + round_no * 1_000_000,
                           args.broadcast)
    finally:
        proc.terminate()
        proc.wait(30)
        fake.stop()
        if db_name:
            await create_pg(args.database_url, db_name, drop=True)


async def run_bare(http: aiohttp.ClientSession, args: argparse.Namespace, workdir: Path, round_no: int) -> Run:
    fake = Fake(any_chat=False, rate=args.fake_rate)
    log = workdir / f"bare-{round_no}.log"
    proc = start_bot([sys.executable, "-c", BARE_BOT, DEFAULT_TOKEN, fake.url], workdir, {}, log)
    try:
        await wait_ready(http, fake, proc, log)
        return await drive(http, fake, proc, "bare PTB", False, args, RESIDENT_FIRST_ID + round_no * 1_000_000)
    finally:
        proc.terminate()
        proc.wait(30)
        fake.stop()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of turns not counted, per run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each bot; medians reported")
    parser.add_argument("--budget", choices=["default", "lifted"], default="default")
    parser.add_argument("--broadcast", type=int, default=0, help="recipients of an announcement sent meanwhile")
    parser.add_argument("--fake-rate", type=float, default=None, help="the fake answers 429 above this rate")
    parser.add_argument("--database-url", help="PostgreSQL server for our bot (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    print(f"{args.residents} residents, closed loop, {args.seconds:g} s per run (+{args.warmup:g} s warm-up), "
          f"{args.rounds} alternating rounds; budget {args.budget}"
          + (f"; broadcast to {args.broadcast} meanwhile" if args.broadcast else ""), flush=True)
    ours: list[Run] = []
    bare: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-residents-") as tmp:
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as http:
            for round_no in range(args.rounds):
                ours.append(await run_ours(http, args, Path(tmp), round_no))
                print(f"  round {round_no + 1} {ours[-1].line()}", flush=True)
                bare.append(await run_bare(http, args, Path(tmp), round_no))
                print(f"  round {round_no + 1} {bare[-1].line()}", flush=True)

    def med(runs: list[Run], what: str) -> float:
        return statistics.median(r.rate if what == "rate" else r.pct(float(what)) for r in runs)

    o_rate, b_rate = med(ours, "rate"), med(bare, "rate")
    o50, b50, o99, b99 = med(ours, "0.5"), med(bare, "0.5"), med(ours, "0.99"), med(bare, "0.99")
    print(f"ours:     {o_rate:7.1f} turns/s, p50 {o50:6.1f} ms, p99 {o99:6.1f} ms (medians of {args.rounds})")
    print(f"bare PTB: {b_rate:7.1f} turns/s, p50 {b50:6.1f} ms, p99 {b99:6.1f} ms")
    print(f"ratios ours/bare: throughput {o_rate / b_rate:.2f} (goal >= 0.9), p50 {o50 / b50:.1f}x, "
          f"p99 {o99 / b99:.1f}x (goal <= 3x)", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
