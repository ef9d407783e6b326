"""Quizzes can't be passed by guessing: choices shuffled per attempt (stable across redelivery and
restart), the explanation names the right answer, and `hocvuso content check` warns about quizzes whose
right answers give themselves away."""

from __future__ import annotations

import shutil
from pathlib import Path
from statistics import mean

import yaml

from bot.config import PROJECT_ROOT, Settings
from bot.content.loader import load_catalog
from bot.content.quiz_fairness import choice_order, warnings
from bot.engine.flows.quiz_order import attempt_seed
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.clock import Clock

CATALOG = load_catalog(PROJECT_ROOT / "content" / "lessons")
CORE = [CATALOG.lessons[x] for x in CATALOG.core_ids]


def same_position_pass_rate(position: int, users: range, attempts: range) -> float:
    """How often typing choice `position + 1` to every question passes a core quiz."""
    passed = []
    for lesson in CORE:
        for user in users:
            for attempt in attempts:
                seed = attempt_seed(user, lesson.id, attempt)
                right = 0
                for i, q in enumerate(lesson.quiz.questions):
                    order = choice_order(f"{seed}:{i}", len(q.choices))
                    right += position < len(order) and order[position] == q.answer
                passed.append(right >= lesson.quiz.pass_score)
    return mean(passed)


def test_answering_the_same_number_passes_at_most_one_quiz_in_three() -> None:
    for position in range(3):  # «1» to everything, «2» to everything, «3» to everything
        rate = same_position_pass_rate(position, range(1, 21), range(10))
        assert rate <= 0.36, (position + 1, rate)


def shown(chat: Chat, user: str) -> list[str]:
    return [b.payload for b in chat.buttons(user) if b.payload.startswith("q:")]


async def test_order_is_fixed_per_attempt_and_changes_between_attempts(
    settings: Settings, clock: Clock, runtime: Runtime, chat: Chat
) -> None:
    lesson = CATALOG.lessons["otp-mat-khau"]
    await chat.onboard("ba")
    await chat.tap_payload("ba", f"qz:{lesson.id}")
    first = shown(chat, "ba")
    q0 = lesson.quiz.questions[0]
    assert sorted(first) == [f"q:0:{i}" for i in range(len(q0.choices))]
    assert [b.label for b in chat.buttons("ba")][: len(first)] == [q0.choices[int(p.rsplit(":", 1)[1])] for p in first]
    await chat.say("ba", "ok gi day")  # not a choice: the same question comes back in the same order
    assert shown(chat, "ba") == first

    restarted = await Runtime.create(settings, clock=clock)  # a restart: the order survives
    try:
        again = Chat(restarted)
        again._update = 1000
        await again.say("ba", "khong biet")
        assert shown(again, "ba") == first
        orders = []
        for _ in range(6):  # later attempts: the order of some question changes
            await again.tap_payload("ba", f"qz:{lesson.id}")
            order = []
            for i, q in enumerate(lesson.quiz.questions):
                order.append(tuple(shown(again, "ba")))
                wrong = (q.answer + 1) % len(q.choices)
                replies = await again.tap_payload("ba", f"q:{i}:{wrong}")
                assert f"❌ Chưa đúng. Đáp án đúng: {q.choices[q.answer]}." in replies[0].text
            orders.append(order)
        assert len(set(map(tuple, orders))) > 1
    finally:
        await restarted.close()


def test_content_check_warns_about_answers_in_one_place_or_always_longest(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content" / "lessons", content / "lessons")
    shutil.copytree(PROJECT_ROOT / "content" / "media", content / "media")
    shutil.copy(PROJECT_ROOT / "content" / "places.yaml", content / "places.yaml")
    shutil.copy(PROJECT_ROOT / "content" / "curriculum.yaml", content / "curriculum.yaml")
    path = content / "lessons" / "otp-mat-khau.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in data["quiz"]["questions"]:
        right = q["choices"][q["answer"]]
        others = [c[:5] for i, c in enumerate(q["choices"]) if i != q["answer"]]
        q["choices"], q["answer"] = [others[0], right + " (đúng)", *others[1:]], 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli("content", "check", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", CONTENT_DIR=str(content))
    assert done.returncode == 0, done.stderr  # a warning, not an error
    n = len(data["quiz"]["questions"])
    assert f"warning: lessons/otp-mat-khau.yaml:quiz: the right answer is choice 2 in {n} of {n}" in done.stderr
    assert "warning: lessons/otp-mat-khau.yaml:quiz: the right answer is the longest choice" in done.stderr
    assert "warning(s) about quizzes" in done.stdout
def test_the_curriculum_gives_no_answer_away() -> None:
    assert warnings(CATALOG) == []
    answers = [q for x in CATALOG.lessons.values() for q in x.quiz.questions]
    longest = sum(all(len(q.choices[q.answer]) > len(c) for j, c in enumerate(q.choices) if j != q.answer)
                  for q in answers)
    second = sum(q.answer == 1 for q in answers)
    assert longest * 2 <= len(answers), longest  # was 46 of 61
    assert second * 2 <= len(answers), second  # was 40 of 61
