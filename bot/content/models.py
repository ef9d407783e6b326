"""Pydantic models of a lesson file (see content/README.md for the authors' guide)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.content.taxonomy import (
    CHOICE_LIMIT,
    COMMUNE_HOTLINE,
    FRAMEWORK_AREAS,
    LEVELS,
    LINK_HOSTS,
    LINK_LABEL_LIMIT,
    LINKS_PER_STEP,
    PHONE_PATTERN,
    PRACTICE_KINDS,
    STEP_HARD_LIMIT,
    TOPICS,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=48)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepLink(_Strict):
    """A button under a step that opens an official site (`url`) or dials a number (`phone`; `xa` = the
    learner's commune hotline from places.yaml, left out where the commune has none)."""

    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINK_LABEL_LIMIT)]
    url: str | None = None
    phone: str | None = None

    @field_validator("url")
    @classmethod
    def _official_site(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not host:
            raise ValueError(f"{v!r} is not an https:// address")
        if not any(host == h or host.endswith("." + h) for h in LINK_HOSTS):
            raise ValueError(f"{host} is not an official site (allowed: {', '.join('*.' + h for h in LINK_HOSTS)})")
        return v

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, v: str | None) -> str | None:
        if v is not None and v != COMMUNE_HOTLINE and not re.fullmatch(PHONE_PATTERN, v):
            raise ValueError(f"{v!r} is not a phone number (digits, spaces, dots) nor {COMMUNE_HOTLINE!r}")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> StepLink:
        if (self.url is None) == (self.phone is None):
            raise ValueError("give exactly one of url or phone")
        return self


class Step(_Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=STEP_HARD_LIMIT)]
    links: list[StepLink] = Field(default_factory=list, max_length=LINKS_PER_STEP)
    image: str | None = None
    audio: str | None = None  # an author's recording (content/media/...), played instead of the synthesized voice
    practice: str | None = None  # a real task (PRACTICE_KINDS); the bot adds what the task needs (a QR code)

    @model_validator(mode="after")
    def _practice_known(self) -> Step:
        if self.practice is not None:
            if self.practice not in PRACTICE_KINDS:
                raise ValueError(f"unknown practice {self.practice!r}; use one of {', '.join(PRACTICE_KINDS)}")
            if self.image:
                raise ValueError("a practice step shows its own picture (the QR code); remove image")
        return self


class Question(_Strict):
    text: NonEmpty
    choices: list[Annotated[str, StringConstraints(min_length=1, max_length=CHOICE_LIMIT)]] = Field(
        min_length=2, max_length=4
    )
    answer: int
    explain: NonEmpty

    @model_validator(mode="after")
    def _answer_in_range(self) -> Question:
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"answer {self.answer} is not an index of the {len(self.choices)} choices")
        return self


class Quiz(_Strict):
    pass_score: int = Field(ge=1)
    questions: list[Question] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _pass_score_reachable(self) -> Quiz:
        if self.pass_score > len(self.questions):
            raise ValueError(f"pass_score {self.pass_score} exceeds the {len(self.questions)} questions")
        return self


class Lesson(_Strict):
    id: Slug
    title: NonEmpty
    topic: str
    framework_area: str
    level: str = "co-ban"
    core: bool = False
    minutes: int = Field(default=5, ge=1, le=60)
    keywords: list[NonEmpty] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=4, max_length=8)
    quiz: Quiz

    @field_validator("topic", "framework_area", "level")
    @classmethod
    def _known_value(cls, v: str, info: ValidationInfo) -> str:
        allowed = _VOCABULARIES[str(info.field_name)]
        if v not in allowed:
            raise ValueError(f"unknown {info.field_name} {v!r}; use one of {', '.join(allowed)}")
        return v


_VOCABULARIES = {"topic": TOPICS, "framework_area": FRAMEWORK_AREAS, "level": LEVELS}
