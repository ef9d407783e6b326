"""The order a quiz question's choices are shown in during the current attempt (the text, the numbers
typed on Zalo and the voice all follow it)."""

from __future__ import annotations

from bot.content.models import Lesson
from bot.content.quiz_fairness import choice_order
from bot.engine.context import Ctx


def attempt_seed(user_id: int, lesson_id: str, attempt: int) -> str:
    return f"{user_id}:{lesson_id}:{attempt}"


def shown_order(ctx: Ctx, lesson: Lesson, index: int) -> list[int]:
    """Shuffled for this attempt while the quiz is open; the file's order otherwise."""
    count = len(lesson.quiz.questions[index].choices)
    seed = ctx.data.get("seed") if ctx.flow == "quiz" and ctx.data.get("lesson_id") == lesson.id else None
    return choice_order(f"{seed}:{index}", count) if isinstance(seed, str) else list(range(count))
