"""Learning progress: open a lesson, move between steps, take the quiz, complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import Catalog
from bot.content.models import Lesson
from bot.content.taxonomy import TOPICS
from bot.db.models import LessonProgress, QuizAttempt, User
from bot.db.repositories import progress as repo
from bot.services.errors import UserError


def lesson_or_error(catalog: Catalog, lesson_id: str) -> Lesson:
    lesson = catalog.get(lesson_id)
    if lesson is None:
        raise UserError("Bài học này không còn nữa. Bạn chọn bài khác trong menu nhé.")
    return lesson


async def open_lesson(session: AsyncSession, user: User, lesson: Lesson, now: datetime) -> LessonProgress:
    """Start the lesson, or return where the user left it."""
    row = await repo.get(session, user.id, lesson.id)
    if row is None:
        row = LessonProgress(user_id=user.id, lesson_id=lesson.id, step=0, started_at=now)
        session.add(row)
        await session.flush()
    row.step = min(max(row.step, 0), len(lesson.steps) - 1)
    return row


async def move(session: AsyncSession, user: User, lesson: Lesson, delta: int, now: datetime) -> int:
    """Move `delta` steps within the lesson; returns the step she is on now."""
    last = len(lesson.steps) - 1
    step = await repo.move_step(session, user.id, lesson.id, delta, last)
    if step is None:  # never opened (a stale button): start it here
        row = await open_lesson(session, user, lesson, now)
        row.step = step = min(max(row.step + delta, 0), last)
    return step


@dataclass(frozen=True)
class QuizResult:
    score: int
    total: int
    passed: bool
    newly_completed: bool


async def finish_quiz(
    session: AsyncSession, user: User, lesson: Lesson, answers: list[int], now: datetime
) -> QuizResult:
    """Score the answers, log the attempt; a pass completes the lesson (once) with the user's village."""
    questions = lesson.quiz.questions
    score = sum(1 for q, a in zip(questions, answers, strict=False) if q.answer == a)
    passed = score >= lesson.quiz.pass_score
    session.add(
        QuizAttempt(
            user_id=user.id,
            lesson_id=lesson.id,
            answers=answers,
            score=score,
            passed=passed,
            commune_id=user.commune_id,
            village_id=user.village_id,
            finished_at=now,
        )
    )
    row = await open_lesson(session, user, lesson, now)
    newly = False
    if passed and row.completed_at is None:
        row.completed_at = now
        row.completed_commune_id = user.commune_id
        row.completed_village_id = user.village_id
        newly = True
    return QuizResult(score, len(questions), passed, newly)


@dataclass(frozen=True)
class TopicProgress:
    topic: str
    label: str
    done: int
    total: int


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    core_done: int
    core_total: int
    by_topic: list[TopicProgress]

    @property
    def core_finished(self) -> bool:
        return self.core_total > 0 and self.core_done == self.core_total


async def progress(session: AsyncSession, user: User, catalog: Catalog) -> Progress:
    done_ids = await repo.completed_ids(session, user.id) & set(catalog.lessons)
    topics: dict[str, list[int]] = {}
    for lesson in catalog.lessons.values():
        counts = topics.setdefault(lesson.topic, [0, 0])
        counts[1] += 1
        counts[0] += lesson.id in done_ids
    core = catalog.core_ids
    return Progress(
        done=len(done_ids),
        total=len(catalog.lessons),
        core_done=sum(1 for lid in core if lid in done_ids),
        core_total=len(core),
        by_topic=[TopicProgress(t, TOPICS.get(t, t), d, n) for t, (d, n) in topics.items()],
    )
