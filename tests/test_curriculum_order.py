"""The next step is obvious: content/curriculum.yaml orders the lessons, «Học bài tiếp theo» opens the
next unfinished one, the list keeps that order with ✅ on completed lessons, /tiendo follows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.content.loader import ContentError, load_catalog
from bot.content.taxonomy import TOPICS
from bot.runtime import Runtime
from tests.support.chat import Chat

CONTENT = PROJECT_ROOT / "content"
ORDER: list[str] = yaml.safe_load((CONTENT / "curriculum.yaml").read_text(encoding="utf-8"))["lessons"]
CATALOG = load_catalog(CONTENT / "lessons")


def test_catalog_follows_the_curriculum_and_core_lessons_come_first() -> None:
    assert list(CATALOG.lessons) == ORDER
    core = [CATALOG.lessons[x].core for x in ORDER]
    assert core == sorted(core, reverse=True)
    assert ORDER.index("qr-thanh-toan") < ORDER.index("qr-gia-lua-chuyen-khoan")


def _copy_content(tmp_path: Path, order: list[str]) -> Path:
    lessons = tmp_path / "content" / "lessons"
    shutil.copytree(CONTENT / "lessons", lessons)
    shutil.copytree(CONTENT / "media", tmp_path / "content" / "media")
    (tmp_path / "content" / "curriculum.yaml").write_text(yaml.safe_dump({"lessons": order}), encoding="utf-8")
    return lessons


@pytest.mark.parametrize(
    ("order", "problem"),
    [
        (ORDER[:-1], f"lesson {ORDER[-1]!r} is missing"),
        ([*ORDER, "khong-co-bai-nay"], "no lesson with id 'khong-co-bai-nay'"),
        ([*ORDER, ORDER[0]], "is listed twice"),
        ([ORDER[-1], *ORDER[:-1]], "list every core lesson before the others"),
    ],
)
def test_a_broken_curriculum_is_reported(tmp_path: Path, order: list[str], problem: str) -> None:
    with pytest.raises(ContentError) as err:
        load_catalog(_copy_content(tmp_path, order))
    assert any(p.startswith("content/curriculum.yaml:lessons") and problem in p for p in err.value.problems)


async def _pass(runtime: Runtime, chat: Chat, user: str, lesson_id: str) -> None:
    await chat.tap_payload(user, f"l:{lesson_id}")
    await chat.tap_payload(user, f"qz:{lesson_id}")
    lesson = CATALOG.lessons[lesson_id]
    for i, q in enumerate(lesson.quiz.questions):
        await chat.tap_payload(user, f"q:{i}:{q.answer}")
    assert "Bạn đã hoàn thành bài" in chat.text(user)


async def test_next_lesson_opens_the_first_unfinished_in_curriculum_order(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("ba")
    await _pass(runtime, chat, "ba", ORDER[0])
    assert f"Bài tiếp theo: «{CATALOG.lessons[ORDER[1]].title}»" in chat.text("ba")
    await chat.tap("ba", "Học bài tiếp theo")
    assert f"📘 {CATALOG.lessons[ORDER[1]].title}\nBước 1/" in chat.text("ba")
    # Out of order: she completes the 4th; «next» still goes to the 2nd, unfinished.
    await _pass(runtime, chat, "ba", ORDER[3])
    await chat.tap("ba", "Học bài tiếp theo")
    assert f"📘 {CATALOG.lessons[ORDER[1]].title}\nBước 1/" in chat.text("ba")


async def test_lesson_list_keeps_curriculum_order_with_completed_marked(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("ong")
    await _pass(runtime, chat, "ong", ORDER[0])
    await chat.tap("ong", "Menu")
    await chat.tap("ong", "Học bài mới")
    shown = [b for b in chat.buttons("ong") if b.payload.startswith("l:")]
    assert [b.payload for b in shown] == [f"l:{x}" for x in ORDER[: len(shown)]]
    assert shown[0].label.startswith("✅ ")  # completed, still in its place on the first page
    assert not any(b.label.startswith("✅") for b in shown[1:])


async def test_progress_lists_topics_in_curriculum_order(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("co")
    await chat.say("co", "/tiendo")
    lines = [line for line in chat.text("co").splitlines() if line.startswith("• ")]
    expected = list(dict.fromkeys(TOPICS[CATALOG.lessons[x].topic] for x in ORDER))
    assert [line[2:].rsplit(":", 1)[0] for line in lines] == expected
    assert lines[0].startswith("• Điện thoại thông minh, Zalo")
