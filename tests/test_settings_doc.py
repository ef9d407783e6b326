"""Every setting is documented in .env.example and README.md."""

from __future__ import annotations

from bot.config import PROJECT_ROOT, Settings


def test_every_setting_is_documented() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in example, name
        assert f"`{name.upper()}`" in readme, name
