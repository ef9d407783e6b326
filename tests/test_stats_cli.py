"""`hocvuso demo seed` and `hocvuso stats` as an operator runs them (real subprocess, real database)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.config import PROJECT_ROOT, Settings
from bot.db.models import Attendance, Klass, LessonProgress, User
from bot.db.session import create_engine, create_sessionmaker
from tests.support.cli import run_cli


def cli(settings: Settings, *args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, database_url=settings.database_url, cwd=cwd)


async def scalar(settings: Settings, stmt) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int((await session.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


async def test_demo_seed_then_stats(settings: Settings, tmp_path: Path) -> None:
    done = cli(settings, "demo", "seed", "--residents", "400")
    assert done.returncode == 0, done.stderr
    assert "400 residents" in done.stdout
    assert await scalar(settings, select(func.count()).where(User.channel == "demo")) == 400
    completed = await scalar(settings, select(func.count()).where(LessonProgress.completed_at.is_not(None)))
    assert completed > 400
    assert await scalar(settings, select(func.count()).select_from(Klass)) == 32  # 8 per demo commune
    assert await scalar(settings, select(func.count()).select_from(Attendance)) > 0

    # seeding again replaces the demo data instead of adding to it
    assert cli(settings, "demo", "seed", "--residents", "250").returncode == 0
    assert await scalar(settings, select(func.count()).where(User.channel == "demo")) == 250
    assert await scalar(settings, select(func.count()).select_from(Klass)) == 32

    out = cli(settings, "stats", "--commune", "ha-long", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    registered = await scalar(settings, select(func.count()).where(User.commune_id == "ha-long"))
    completions = await scalar(
        settings,
        select(func.count()).where(
            LessonProgress.completed_commune_id == "ha-long", LessonProgress.completed_at.is_not(None)
        ),
    )
    assert doc["totals"]["registered"] == registered
    assert doc["totals"]["completions"] == completions
    assert sum(v["registered"] for v in doc["villages"]) == registered
    assert next(v["id"] for v in doc["villages"]) == "ha-long-thon-1"

    table = cli(settings, "stats")
    assert table.returncode == 0 and "Xã Hà Long" in table.stdout and "Bao phủ" in table.stdout

    rows = list(csv.reader(io.StringIO(cli(settings, "stats", "--format", "csv").stdout)))
    assert rows[0][:3] == ["id", "name", "adults"] and len(rows) == 1 + 4

    xlsx = tmp_path / "r.xlsx"
    done = cli(settings, "stats", "--commune", "ha-long", "--format", "xlsx", "--out", str(xlsx))
    assert done.returncode == 0, done.stderr
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Tổng hợp", "Theo thôn", "Theo bài học"]
    total = next(r for r in wb["Theo thôn"].iter_rows(values_only=True) if r[1] == "Tổng cộng")
    assert total[3] == registered and total[5] == completions

    pdf = tmp_path / "r.pdf"
    done = cli(settings, "stats", "--commune", "ha-long", "--format", "pdf", "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and "fontTools" not in done.stderr


async def test_bad_input_is_a_message_not_a_traceback(settings: Settings, tmp_path: Path) -> None:
    cases = [
        (["stats", "--commune", "khong-co"], "Không có xã mã"),
        (["stats", "--period", "2026-13"], "Tháng không hợp lệ"),
        (["stats", "--period", "hom-qua"], "Khoảng thời gian không hợp lệ"),
        (["stats", "--format", "xlsx"], "needs --commune"),
        (["stats", "--format", "pdf"], "needs --commune"),
        (["stats", "--format", "docx"], "invalid choice"),
        (["stats", "--commune", "ha-long", "--out", str(tmp_path / "no" / "dir.txt")], "cannot write"),
        (["demo", "seed", "--residents", "0"], "between 1 and"),
        (["demo", "seed", "--residents", "nhieu"], "not a whole number"),
    ]
    for args, message in cases:
        done = cli(settings, *args)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, args
