"""requirements.lock pins every dependency pyproject.toml declares (CI installs from the lock, then the
project with --no-deps: a dependency missing from the lock would be missing on a fresh machine)."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from bot.config import PROJECT_ROOT


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = {
        _canonical(m.group(1))
        for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", (PROJECT_ROOT / "requirements.lock").read_text(), re.M)
    }
    missing = sorted({Requirement(d).name for d in declared if _canonical(Requirement(d).name) not in pinned})
    assert not missing, f"not in requirements.lock: {missing} (refresh it: see README «Dependencies»)"
