"""Communes and villages a deployment serves (content/places.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.content.loader import ContentError
from bot.content.models import NonEmpty, Slug
from bot.content.taxonomy import PHONE_PATTERN


class Village(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    name: NonEmpty
    adults: int = Field(ge=0, description="Adult population estimate (coverage denominator)")


class Commune(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    name: NonEmpty
    province: NonEmpty
    # The commune's public hotline for residents (as printed on its notices): a «📞» button in the help
    # screen and on lesson steps with `phone: xa`. None: not shown anywhere.
    hotline: Annotated[str, StringConstraints(pattern=PHONE_PATTERN)] | None = None
    villages: list[Village] = Field(min_length=1)

    @property
    def adults(self) -> int:
        return sum(v.adults for v in self.villages)


class _PlacesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    demo: bool = False
    communes: list[Commune] = Field(min_length=1)


@dataclass(frozen=True)
class Places:
    """Lookup tables over the communes and villages."""

    communes: dict[str, Commune]
    villages: dict[str, Village]
    village_commune: dict[str, str]  # village id -> commune id
    demo: bool = False

    @classmethod
    def from_communes(cls, communes: list[Commune], demo: bool = False) -> Places:
        villages = {v.id: v for c in communes for v in c.villages}
        owner = {v.id: c.id for c in communes for v in c.villages}
        return cls({c.id: c for c in communes}, villages, owner, demo)

    def commune_of(self, village_id: str) -> Commune | None:
        cid = self.village_commune.get(village_id)
        return self.communes.get(cid) if cid else None

    def village_label(self, village_id: str | None) -> str:
        if not village_id or village_id not in self.villages:
            return "chưa chọn"
        commune = self.commune_of(village_id)
        return f"{self.villages[village_id].name}, {commune.name if commune else ''}".strip(", ")


def load_places(path: Path) -> Places:
    """Load places.yaml; raise ContentError with `file:field: problem` lines."""
    rel = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = _PlacesFile.model_validate(raw)
    except FileNotFoundError:
        raise ContentError([f"{rel}:(file): not found"]) from None
    except yaml.YAMLError as exc:
        raise ContentError([f"{rel}:(file): not valid YAML: {str(exc).splitlines()[0]}"]) from None
    except ValidationError as exc:
        raise ContentError(
            [f"{rel}:{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
    problems: list[str] = []
    seen: set[str] = set()
    for ci, commune in enumerate(parsed.communes):
        for vi, village in enumerate(commune.villages):
            if village.id in seen:
                problems.append(f"{rel}:communes.{ci}.villages.{vi}.id: duplicate village id {village.id!r}")
            seen.add(village.id)
    if problems:
        raise ContentError(problems)
    return Places.from_communes(parsed.communes, parsed.demo)
