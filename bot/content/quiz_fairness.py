"""Quizzes that cannot be passed by guessing: the order choices are shown in for one attempt, and the
content check's warnings about answers that give themselves away (always in one place, always longest)."""

from __future__ import annotations

import random
from collections import Counter

from bot.content.loader import Catalog
from bot.content.models import Lesson


def choice_order(seed: str, count: int) -> list[int]:
    """The choice indices in the order to show them: a shuffle fixed by `seed` (the same attempt and
    question always give the same order, across restarts and redelivered updates)."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _longest(choices: list[str], answer: int) -> bool:
    """The right answer is strictly the longest choice."""
    return all(len(choices[answer]) > len(c) for i, c in enumerate(choices) if i != answer)


def _mostly(count: int, total: int) -> bool:
    """More than two thirds of a lesson's questions (all 3 of 3, 3 of 4, 4 of 5)."""
    return total >= 3 and count * 3 > total * 2


def lesson_warnings(lesson: Lesson, rel: str) -> list[str]:
    questions = lesson.quiz.questions
    out = []
    positions = Counter(q.answer for q in questions)
    position, count = positions.most_common(1)[0]
    if _mostly(count, len(questions)):
        out.append(
            f"{rel}:quiz: the right answer is choice {position + 1} in {count} of {len(questions)} questions; "
            "vary its place (the bot shuffles, a printed quiz does not)"
        )
    longest = [i for i, q in enumerate(questions) if _longest(q.choices, q.answer)]
    if _mostly(len(longest), len(questions)):
        which = ", ".join(f"questions[{i}]" for i in longest)
        out.append(
            f"{rel}:quiz: the right answer is the longest choice in {which}; "
            "guessing «the longest» passes — write wrong choices as long and as plausible"
        )
    return out


def warnings(catalog: Catalog) -> list[str]:
    """`file:field: warning` lines for quizzes whose right answers give themselves away."""
    return [w for lesson in catalog.lessons.values() for w in lesson_warnings(lesson, f"lessons/{lesson.id}.yaml")]
