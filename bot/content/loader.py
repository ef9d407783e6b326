"""Load and validate every lesson file; report problems as `file:field: problem`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.content.models import Lesson


class ContentError(Exception):
    """Content is invalid; `problems` lists every problem as `file:field: problem`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


CURRICULUM_FILE = "curriculum.yaml"


@dataclass
class Catalog:
    """All lessons, in curriculum order (content/curriculum.yaml; file-name order without one)."""

    lessons: dict[str, Lesson] = field(default_factory=dict)
    media_root: Path | None = None

    @property
    def core_ids(self) -> list[str]:
        return [lid for lid, lesson in self.lessons.items() if lesson.core]

    def get(self, lesson_id: str) -> Lesson | None:
        return self.lessons.get(lesson_id)

    def next_unfinished(self, done: set[str]) -> Lesson | None:
        """The first lesson in curriculum order that is not in `done`."""
        return next((x for x in self.lessons.values() if x.id not in done), None)


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _load_one(path: Path, rel: str, problems: list[str]) -> Lesson | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{rel}:(file): not valid YAML: {str(exc).splitlines()[0]}")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{rel}:(file): expected a mapping of lesson fields")
        return None
    try:
        return Lesson.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "missing required field"
            problems.append(f"{rel}:{_field_path(err['loc'])}: {msg}")
        return None


def load_catalog(lessons_dir: Path) -> Catalog:
    """Load every `*.yaml` under `lessons_dir`; raise ContentError listing all problems."""
    problems: list[str] = []
    catalog = Catalog(media_root=lessons_dir.parent)
    seen: dict[str, str] = {}
    files = sorted(lessons_dir.glob("*.yaml")) + sorted(lessons_dir.glob("*.yml"))
    if not files:
        raise ContentError([f"{lessons_dir}:(dir): no lesson files found"])
    for path in files:
        rel = f"{lessons_dir.parent.name}/{lessons_dir.name}/{path.name}"
        lesson = _load_one(path, rel, problems)
        if lesson is None:
            continue
        if lesson.id in seen:
            problems.append(f"{rel}:id: duplicate lesson id {lesson.id!r} (also in {seen[lesson.id]})")
            continue
        for i, step in enumerate(lesson.steps):
            if step.image and not (lessons_dir.parent / step.image).is_file():
                problems.append(f"{rel}:steps[{i}].image: file {step.image} not found under content/")
            if step.audio and not (lessons_dir.parent / step.audio).is_file():
                problems.append(f"{rel}:steps[{i}].audio: file {step.audio} not found under content/")
        seen[lesson.id] = rel
        catalog.lessons[lesson.id] = lesson
    order = _curriculum(lessons_dir.parent / CURRICULUM_FILE, catalog, problems)
    if problems:
        raise ContentError(problems)
    catalog.lessons = {lid: catalog.lessons[lid] for lid in order}
    return catalog


def _curriculum(path: Path, catalog: Catalog, problems: list[str]) -> list[str]:
    """Lesson ids in learning order; without a curriculum file, file-name order."""
    if not path.is_file():
        return list(catalog.lessons)
    rel = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{rel}:(file): not valid YAML: {str(exc).splitlines()[0]}")
        return list(catalog.lessons)
    ids = raw.get("lessons") if isinstance(raw, dict) else None
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        problems.append(f"{rel}:lessons: expected a list of lesson ids")
        return list(catalog.lessons)
    seen: set[str] = set()
    for i, lid in enumerate(ids):
        if lid not in catalog.lessons:
            problems.append(f"{rel}:lessons[{i}]: no lesson with id {lid!r}")
        elif lid in seen:
            problems.append(f"{rel}:lessons[{i}]: {lid!r} is listed twice")
        seen.add(lid)
    problems += [f"{rel}:lessons: lesson {lid!r} is missing" for lid in catalog.lessons if lid not in seen]
    cores = [catalog.lessons[x].core for x in ids if x in catalog.lessons]
    first_other = next((i for i, core in enumerate(cores) if not core), len(cores))
    if any(cores[first_other:]):
        problems.append(f"{rel}:lessons: list every core lesson before the others")
    return [x for x in dict.fromkeys(ids) if x in catalog.lessons]
