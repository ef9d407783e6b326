"""What the voice says for each thing the bot shows: the same words as the message, for the ear.

The flows and `hocvuso content audio` both take their texts from here, so the cache the command
builds is the cache the flows hit.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.models import Lesson


def step_script(lesson: Lesson, index: int) -> str:
    return f"Bước {index + 1}.\n{lesson.steps[index].text}"


def question_script(lesson: Lesson, index: int, order: Sequence[int] | None = None) -> str:
    """The question and its choices numbered as shown (`order`: the attempt's shuffle)."""
    question = lesson.quiz.questions[index]
    shown = [question.choices[i] for i in order] if order is not None else question.choices
    choices = "\n".join(f"{n}. {choice}." for n, choice in enumerate(shown, start=1))
    return f"Câu {index + 1}.\n{question.text}\n{choices}"


def menu_script(intro: str, choices: Sequence[tuple[int, str]]) -> str:
    """A spoken numbered menu, with the numbers the screen shows: «Gõ số 1: Học bài mới.»..."""
    lines = [f"Gõ số {n}: {label}." for n, label in choices]
    return "\n".join([intro, *lines])


def curriculum_scripts(lessons: Sequence[Lesson]) -> list[tuple[Lesson, int | None, str]]:
    """Every (lesson, step index or None for a quiz question, text) the bot may speak."""
    out: list[tuple[Lesson, int | None, str]] = []
    for lesson in lessons:
        out += [(lesson, i, step_script(lesson, i)) for i in range(len(lesson.steps))]
        out += [(lesson, None, question_script(lesson, i)) for i in range(len(lesson.quiz.questions))]
    return out
