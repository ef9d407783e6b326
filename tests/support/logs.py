"""Reading a log file that another process may still be writing.

A writer's line can reach the file in more than one write (a buffered writer flushes at its buffer
size, 8 KiB, wherever that falls), so a reader can see half a line, even half a UTF-8 character.
These readers take only the complete lines: the bytes up to the last newline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def complete_lines(path: Path) -> list[str]:
    """The lines of `path` that end in a newline (a torn last line is left for the next read)."""
    if not path.exists():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n")
    if end < 0:
        return []
    return data[: end + 1].decode("utf-8", errors="replace").splitlines()


def complete_text(path: Path) -> str:
    """The text of the complete lines of `path` ("" if it does not exist yet)."""
    return "".join(line + "\n" for line in complete_lines(path))


def json_records(path: Path) -> list[dict[str, Any]]:
    """The JSON-object lines of `path`; other lines (e.g. a crash's stderr) are skipped."""
    records = []
    for line in complete_lines(path):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                records.append(value)
    return records
