"""Diacritics-insensitive lesson search over titles and keywords ("cai vneid", "lua dao")."""

from __future__ import annotations

from bot.content.loader import Catalog
from bot.content.models import Lesson
from bot.content.taxonomy import TOPICS
from bot.text import fold

# Words too common to tell lessons apart.
_STOP = frozenset(
    "toi minh ban bac la gi cach nhu the nao muon hoc hay giup voi cho va cua de co khong duoc "
    "lam sao o tren trong mot nhung cac ve".split()
)


def _phrases(lesson: Lesson) -> list[str]:
    return [fold(k) for k in lesson.keywords] + [
        fold(TOPICS.get(lesson.topic, "")),
        lesson.topic.replace("-", " "),
    ]


def score(lesson: Lesson, query: str) -> int:
    """How well `query` matches: whole keyword phrases count most, then single words."""
    q = fold(query)
    if not q:
        return 0
    padded = f" {q} "
    total = 0
    for phrase in _phrases(lesson):
        if phrase and f" {phrase} " in padded:
            total += 3 * len(phrase.split())
    haystack = set(fold(lesson.title).split()) | {w for p in _phrases(lesson) for w in p.split()}
    total += sum(1 for w in q.split() if w not in _STOP and len(w) > 1 and w in haystack)
    return total


def search_lessons(catalog: Catalog, query: str, limit: int = 5) -> list[Lesson]:
    """Best matching lessons, best first; empty when nothing matches."""
    scored = [(score(lesson, query), i, lesson) for i, lesson in enumerate(catalog.lessons.values())]
    return [lesson for s, _, lesson in sorted(scored, key=lambda t: (-t[0], t[1])) if s > 0][:limit]
