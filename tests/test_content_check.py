"""`hocvuso content check` names the file and field of every problem, and the bot refuses bad content."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from tests.support.cli import run_cli

GOOD = PROJECT_ROOT / "content" / "lessons" / "otp-mat-khau.yaml"


def make_content(tmp_path: Path, files: dict[str, dict | str]) -> Path:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "content" / "places.yaml", content / "places.yaml")
    for name, body in files.items():
        text = body if isinstance(body, str) else yaml.safe_dump(body, allow_unicode=True)
        (content / "lessons" / name).write_text(text, encoding="utf-8")
    return content


def run(content: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, database_url=f"sqlite+aiosqlite:///{content}/x.db", CONTENT_DIR=str(content), timeout=60)


def good() -> dict:
    return yaml.safe_load(GOOD.read_text(encoding="utf-8"))


def test_real_content_is_valid() -> None:
    done = run(PROJECT_ROOT / "content", "content", "check")
    assert done.returncode == 0, done.stderr
    assert "OK:" in done.stdout


def broken_cases() -> list[tuple[str, dict[str, dict | str], list[str]]]:
    dup_a, dup_b = good(), good()
    out_of_range = good()
    out_of_range["quiz"]["questions"][1]["answer"] = 7
    missing = good()
    del missing["title"]
    del missing["quiz"]["questions"][0]["explain"]
    empty_steps = good()
    empty_steps["steps"] = []
    long_step = good()
    long_step["steps"][2]["text"] = "Rất dài. " * 100
    bad_links = good()
    bad_links["steps"][0]["links"] = [{"label": "Trang lạ", "url": "https://dichvucong-online.com"}]
    bad_links["steps"][1]["links"] = [{"label": "Gọi", "url": "https://dichvucong.gov.vn", "phone": "113"},
                                      {"label": "Gọi xã", "phone": "gọi xã"}]
    return [
        (
            "duplicate id",
            {"a.yaml": dup_a, "b.yaml": dup_b},
            ["content/lessons/b.yaml:id: duplicate lesson id 'otp-mat-khau' (also in content/lessons/a.yaml)"],
        ),
        (
            "answer out of range",
            {"x.yaml": out_of_range},
            ["content/lessons/x.yaml:quiz.questions[1]: answer 7 is not an index of the"],
        ),
        (
            "missing fields",
            {"m.yaml": missing},
            [
                "content/lessons/m.yaml:title: missing required field",
                "content/lessons/m.yaml:quiz.questions[0].explain: missing required field",
            ],
        ),
        (
            "empty steps",
            {"e.yaml": empty_steps},
            ["content/lessons/e.yaml:steps: List should have at least 4 items"],
        ),
        (
            "step too long",
            {"l.yaml": long_step},
            ["content/lessons/l.yaml:steps[2].text: String should have at most 600"],
        ),
        (
            "link not official, link with two targets, phone not a number",
            {"k.yaml": bad_links},
            [
                "content/lessons/k.yaml:steps[0].links[0].url: dichvucong-online.com is not an "
                "official site",
                "content/lessons/k.yaml:steps[1].links[0]: give exactly one of url or phone",
                "content/lessons/k.yaml:steps[1].links[1].phone: 'gọi xã' is not a phone number",
            ],
        ),
        ("not yaml", {"y.yaml": "id: [oops\n"}, ["content/lessons/y.yaml:(file): not valid YAML"]),
    ]


@pytest.mark.parametrize(("name", "files", "expected"), broken_cases(), ids=[c[0] for c in broken_cases()])
def test_problems_name_file_and_field(tmp_path: Path, name: str, files: dict, expected: list[str]) -> None:
    content = make_content(tmp_path, files)
    done = run(content, "content", "check")
    assert done.returncode == 1
    for line in expected:
        assert line in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_bot_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    bad = good()
    bad["quiz"]["questions"][0]["answer"] = 9
    content = make_content(tmp_path, {"bad.yaml": bad})
    done = run(content, "chat")
    assert done.returncode == 1
    assert "content/lessons/bad.yaml:quiz.questions[0]: answer 9 is not an index" in done.stderr
    assert "Traceback" not in done.stderr
