"""Statistics at scale: the commune overview through the service vs a hand-written SQL aggregate.

Builds 1,000,000 completion rows (plus residents, quiz attempts, classes, attendance) over
100 communes x 10 villages, then times, on the same database in the same run:
- the service: `bot.services.stats.commune_overview` (every card, the per-village table,
  per-lesson counts and the weekly trend), and
- hand-written SQL (text statements computing the same numbers, checked equal),
and prints both, the ratio service/SQL (goal <= 1.2) and whether the overview is < 100 ms.

    .venv/bin/python bench/stats.py [--backend sqlite|postgres|both] [--completions 1000000]

SQLite uses a temporary file; PostgreSQL a throwaway database on 127.0.0.1 (user postgres, trust)
that is dropped afterwards (override the server with HOCVUSO_BENCH_PG_DSN).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app_context import AppContext
from bot.config import PROJECT_ROOT, Settings
from bot.content.loader import load_catalog
from bot.content.places import Commune, Places, Village
from bot.db.migrate import upgrade_head
from bot.db.session import create_engine, create_sessionmaker
from bot.services import periods, stats

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
COMMUNES, VILLAGES = 100, 10
LESSONS_PER_USER = 10
PG_DSN = os.environ.get("HOCVUSO_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def make_places() -> Places:
    rng = random.Random(1)
    communes = [
        Commune(
            id=f"xa-{c:03d}",
            name=f"Xã {c:03d}",
            province="Tỉnh mẫu",
            villages=[
                Village(id=f"xa-{c:03d}-thon-{v}", name=f"Thôn {v}", adults=rng.randint(300, 700))
                for v in range(1, VILLAGES + 1)
            ],
        )
        for c in range(1, COMMUNES + 1)
    ]
    return Places.from_communes(communes, demo=True)


def generate(places: Places, lessons: list[str], core: list[str], completions: int) -> dict[str, list[tuple]]:
    """Rows for every table, as tuples in column order (see COLUMNS). Times are aware UTC."""
    rng = random.Random(42)
    villages = list(places.villages.values())
    n_users = completions // LESSONS_PER_USER
    users, progress, quiz = [], [], []
    pid = qid = 0
    for uid in range(1, n_users + 1):
        village = villages[uid % len(villages)]
        commune = places.village_commune[village.id]
        created = NOW - timedelta(days=200, seconds=rng.randint(0, 20 * 86400))
        seen = NOW - timedelta(seconds=rng.randint(0, 90 * 86400))
        users.append(
            (
                uid,
                "bench",
                f"u{uid}",
                f"u{uid}",
                None,
                commune,
                village.id,
                created,
                "resident",
                None,
                "[]",
                None,
                created,
                seen,
            )
        )
        chosen = core if rng.random() < 0.3 else rng.sample(lessons, LESSONS_PER_USER)
        for lid in chosen:
            pid += 1
            done = NOW - timedelta(seconds=rng.randint(0, 180 * 86400))
            progress.append((pid, uid, lid, 0, done - timedelta(hours=1), done, commune, village.id))
            if rng.random() < 0.5:
                qid += 1
                quiz.append((qid, uid, lid, "[]", 3, rng.random() < 0.8, commune, village.id, done))
    classes, attendance = [], []
    aid = 0
    for c, commune in enumerate(places.communes.values()):
        for k in range(5):
            cid = c * 5 + k + 1
            when = NOW - timedelta(days=rng.randint(1, 150))
            classes.append(
                (cid, commune.id, "[]", "Lớp học", None, "Nhà văn hóa", when, 30, None, "done", None, when, when)
            )
            for _ in range(20):
                aid += 1
                attendance.append((aid, cid, None, "Khách", rng.choice(commune.villages).id, None, when))
    return {
        "users": users,
        "lesson_progress": progress,
        "quiz_attempts": quiz,
        "classes": classes,
        "attendance": attendance,
    }


COLUMNS = {
    "users": [
        "id",
        "channel",
        "platform_id",
        "chat_id",
        "display_name",
        "commune_id",
        "village_id",
        "consent_at",
        "role",
        "role_commune_id",
        "role_village_ids",
        "blocked_at",
        "created_at",
        "last_seen_at",
    ],
    "lesson_progress": [
        "id",
        "user_id",
        "lesson_id",
        "step",
        "started_at",
        "completed_at",
        "completed_commune_id",
        "completed_village_id",
    ],
    "quiz_attempts": [
        "id",
        "user_id",
        "lesson_id",
        "answers",
        "score",
        "passed",
        "commune_id",
        "village_id",
        "finished_at",
    ],
    "classes": [
        "id",
        "commune_id",
        "village_ids",
        "title",
        "lesson_id",
        "place",
        "starts_at",
        "capacity",
        "note",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    ],
    "attendance": ["id", "class_id", "user_id", "walk_in_name", "village_id", "marked_by", "marked_at"],
}


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, datetime):  # SQLAlchemy's SQLite storage format, naive UTC
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return v


def load_sqlite(path: str, data: dict[str, list[tuple]]) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    for table, rows in data.items():
        cols = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        conn.executemany(sql, ([_sqlite_value(v) for v in row] for row in rows))
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def load_postgres(dsn: str, data: dict[str, list[tuple]]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for table, rows in data.items():
            await conn.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


# ---------------------------------------------------------------- the hand-written SQL


def handwritten_sql(dialect: str, offset_minutes: int) -> list[str]:
    day = (
        "CAST(timezone('Asia/Ho_Chi_Minh', completed_at) AS DATE)"
        if dialect == "postgresql"
        else f"date(completed_at, '+{offset_minutes} minutes')"
    )
    t = "TRUE" if dialect == "postgresql" else "1"
    return [
        """SELECT village_id, count(*), sum(CASE WHEN last_seen_at >= :active THEN 1 ELSE 0 END)
           FROM users WHERE commune_id = :c AND created_at < :end GROUP BY village_id""",
        """SELECT completed_village_id, lesson_id, count(*) FROM lesson_progress
           WHERE completed_commune_id = :c AND completed_at < :end GROUP BY completed_village_id, lesson_id""",
        """SELECT v, count(*) FROM (
             SELECT user_id, max(completed_village_id) AS v FROM lesson_progress
             WHERE completed_commune_id = :c AND completed_at < :end AND lesson_id IN :core
             GROUP BY user_id HAVING count(*) = :ncore) f GROUP BY v""",
        f"""SELECT village_id, count(*), sum(CASE WHEN passed = {t} THEN 1 ELSE 0 END) FROM quiz_attempts
           WHERE commune_id = :c AND finished_at < :end GROUP BY village_id""",
        """SELECT a.village_id, count(*) FROM attendance a JOIN classes k ON k.id = a.class_id
           WHERE k.commune_id = :c AND k.status != 'cancelled' AND k.starts_at < :end GROUP BY a.village_id""",
        """SELECT count(*) FROM classes WHERE commune_id = :c AND status != 'cancelled' AND starts_at < :end""",
        f"""SELECT {day} AS d, count(*) FROM lesson_progress
           WHERE completed_commune_id = :c AND completed_at >= :wstart AND completed_at < :end GROUP BY d""",
    ]


async def run_handwritten(session: AsyncSession, statements: list[Any], params: dict[str, Any]) -> list[list[Any]]:
    return [(await session.execute(stmt, params)).all() for stmt in statements]


def _bind(dialect: str, v: datetime) -> Any:
    return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else v


async def measure(url: str, app: AppContext, rounds: int) -> dict[str, Any]:
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    dialect = engine.dialect.name
    period = periods.all_time(NOW)
    offset = 7 * 60
    end_local = (NOW - timedelta(microseconds=1)).astimezone(app.settings.tz).date()
    wstart_local = end_local - timedelta(weeks=stats.TREND_WEEKS - 1, days=end_local.weekday())
    wstart = datetime.combine(wstart_local, datetime.min.time(), tzinfo=app.settings.tz)
    core = app.catalog.core_ids
    from sqlalchemy import bindparam

    stmts = [
        text(s).bindparams(bindparam("core", expanding=True)) if ":core" in s else text(s)
        for s in handwritten_sql(dialect, offset)
    ]
    communes = list(app.places.communes)
    svc_times: list[float] = []
    sql_times: list[float] = []
    async with sm() as session:
        # warm up both paths (connections, statement caches, page cache)
        for cid in communes[:3]:
            await stats.commune_overview(session, app, cid, period)
        for i in range(rounds):
            cid = communes[(i * 7) % len(communes)]
            params = {
                "c": cid,
                "end": _bind(dialect, NOW),
                "active": _bind(dialect, NOW - timedelta(days=30)),
                "core": core,
                "ncore": len(core),
                "wstart": _bind(dialect, wstart),
            }
            # alternate the order so neither path profits from the other's cache more
            order = ("svc", "sql") if i % 2 == 0 else ("sql", "svc")
            for which in order:
                t0 = time.perf_counter()
                if which == "svc":
                    ov = await stats.commune_overview(session, app, cid, period)
                    svc_times.append(time.perf_counter() - t0)
                else:
                    raw = await run_handwritten(session, stmts, params)
                    sql_times.append(time.perf_counter() - t0)
            # the two must agree
            assert ov.totals.registered == sum(r[1] for r in raw[0]), cid
            assert ov.totals.completions == sum(r[2] for r in raw[1]), cid
            assert ov.totals.core_finished == sum(r[1] for r in raw[2]), cid
            assert ov.totals.quiz_attempts == sum(r[1] for r in raw[3]), cid
            assert ov.totals.attendance == sum(r[1] for r in raw[4]), cid
            assert sum(w.completions for w in ov.weekly) == sum(r[1] for r in raw[6]), cid
    await engine.dispose()
    svc, sql = statistics.median(svc_times), statistics.median(sql_times)
    return {
        "service_ms": svc * 1000,
        "sql_ms": sql * 1000,
        "ratio": svc / sql,
        "service_p90_ms": sorted(svc_times)[int(len(svc_times) * 0.9)] * 1000,
    }


async def bench(backend: str, completions: int, rounds: int) -> dict[str, Any]:
    places = make_places()
    catalog = load_catalog(PROJECT_ROOT / "content" / "lessons")
    lessons, core = list(catalog.lessons), catalog.core_ids
    assert len(core) <= LESSONS_PER_USER <= len(lessons)
    t0 = time.perf_counter()
    data = generate(places, lessons, core, completions)
    gen_s = time.perf_counter() - t0
    tmp = tempfile.TemporaryDirectory()
    pg_name = None
    if backend == "sqlite":
        path = f"{tmp.name}/bench.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        pg_name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'CREATE DATABASE "{pg_name}"')
        await admin.close()
        base = PG_DSN.rsplit("/", 1)[0]
        url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{pg_name}"
    try:
        engine = create_engine(url)
        await upgrade_head(engine)
        await engine.dispose()
        t0 = time.perf_counter()
        if backend == "sqlite":
            await asyncio.to_thread(load_sqlite, path, data)
        else:
            await load_postgres(f"{base}/{pg_name}", data)
        load_s = time.perf_counter() - t0
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        app = AppContext(settings=settings, catalog=catalog, places=places, clock=lambda: NOW)
        result = await measure(url, app, rounds)
    finally:
        if pg_name:
            admin = await asyncpg.connect(PG_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()
        tmp.cleanup()
    rows = {k: len(v) for k, v in data.items()}
    return {"backend": backend, "rows": rows, "generate_s": round(gen_s, 1), "load_s": round(load_s, 1), **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30, help="communes timed per backend")
    parser.add_argument("--json", action="store_true", help="print one JSON line per backend")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:
        r = asyncio.run(bench(backend, args.completions, args.rounds))
        goal = r["ratio"] <= 1.2 and r["service_ms"] < 100
        ok &= goal
        if args.json:
            print(json.dumps(r))
            continue
        print(
            f"{backend:8s} completions={r['rows']['lesson_progress']:,} users={r['rows']['users']:,} "
            f"quiz={r['rows']['quiz_attempts']:,} (generate {r['generate_s']}s, load {r['load_s']}s)\n"
            f"         overview via service: {r['service_ms']:.1f} ms (p90 {r['service_p90_ms']:.1f} ms)  "
            f"hand-written SQL: {r['sql_ms']:.1f} ms  ratio {r['ratio']:.2f}  "
            f"[goal ratio <= 1.2 and < 100 ms: {'met' if goal else 'NOT met'}]",
            flush=True,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
