"""The whole resident journey through the real `hocvuso chat` process, piped, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content.loader import load_catalog
from bot.content.quiz_fairness import choice_order
from bot.engine.flows.quiz_order import attempt_seed
from tests.support.cli import run_cli

CATALOG = load_catalog(PROJECT_ROOT / "content" / "lessons")
LESSON = CATALOG.lessons["vneid-kich-hoat"]


def run_chat(db: Path, lines: list[str], user: str = "ba-lan") -> str:
    done = run_cli("chat", "--user", user, database_url=f"sqlite+aiosqlite:///{db}", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_piped_journey_completes_a_lesson_and_stores_the_village(tmp_path: Path) -> None:
    db = tmp_path / "journey.db"
    steps_forward = ["tiep"] * (len(LESSON.steps) - 1)
    # The first resident of a fresh database is user 1; her first attempt's choices are shuffled by this seed.
    seed = attempt_seed(1, LESSON.id, 0)
    answers = [str(choice_order(f"{seed}:{i}", len(q.choices)).index(q.answer) + 1)
               for i, q in enumerate(LESSON.quiz.questions)]
    out = run_chat(
        db,
        ["1", "ha long", "thon 3", "cai vneid", "1", *steps_forward, "Làm bài kiểm tra", *answers, "tien do"],
    )
    assert f"Bước {len(LESSON.steps)}/{len(LESSON.steps)}" in out
    assert "Bạn đã hoàn thành bài" in out
    assert f"Bạn đã hoàn thành 1/{len(CATALOG.lessons)} bài học." in out

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.lesson_id, p.completed_village_id, p.completed_commune_id, u.platform_id "
            "FROM lesson_progress p JOIN users u ON u.id = p.user_id WHERE p.completed_at IS NOT NULL"
        ).fetchall()
    assert rows == [("vneid-kich-hoat", "ha-long-thon-3", "ha-long", "ba-lan")]


def test_second_process_resumes_the_same_step(tmp_path: Path) -> None:
    db = tmp_path / "resume.db"
    first = run_chat(db, ["1", "ha long", "thon 1", "vneid", "1", "tiep", "tiep"], user="ong-ba")
    assert f"Bước 3/{len(LESSON.steps)}" in first
    second = run_chat(db, ["hoc tiep bai dang hoc"], user="ong-ba")
    assert "Chào mừng bạn quay lại" in second
    assert f"Bước 3/{len(LESSON.steps)}" in second
    assert LESSON.steps[2].text.splitlines()[0] in second


@pytest.mark.parametrize("declined_line", ["2", "khong dong y"])
def test_declining_consent_stores_nothing(tmp_path: Path, declined_line: str) -> None:
    db = tmp_path / "declined.db"
    out = run_chat(db, [declined_line, "cai vneid", "/dulieu"])
    assert "không lưu gì về bạn" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM conversation_states").fetchone() == (0,)
