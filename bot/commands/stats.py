"""`hocvuso stats [--commune ID] [--period all|30d|YYYY-MM] [--format table|csv|json|xlsx|pdf] [--out FILE]`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import formatting
from bot.app_context import AppContext
from bot.config import Settings
from bot.runtime import open_runtime
from bot.services import periods, reports, stats
from bot.services.errors import UserError

FORMATS = ("table", "csv", "json", "xlsx", "pdf")
REPORT_FORMATS = ("xlsx", "pdf")  # per commune, written to a file


def add_parser(sub: Any) -> None:
    p = sub.add_parser("stats", help="completion statistics per commune and village")
    p.add_argument("--commune", help="commune id (default: a summary of every commune)")
    p.add_argument("--period", default="all", help="all (default), 7d, 30d, 90d, 365d or YYYY-MM")
    p.add_argument("--format", default="table", choices=FORMATS, help="output format (default table)")
    p.add_argument("--out", help="write to FILE instead of stdout (xlsx/pdf: default bao-cao-<xa>-<ky>.xlsx/.pdf)")
    p.set_defaults(func=run)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _area_dict(a: stats.AreaStats) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "adults": a.adults,
        "registered": a.registered,
        "active_30d": a.active_30d,
        "completions": a.completions,
        "core_finished": a.core_finished,
        "guided": a.guided,
        "guided_core": a.guided_core,
        "practiced": a.practiced,
        "coverage": _pct(a.coverage),
        "quiz_attempts": a.quiz_attempts,
        "quiz_passed": a.quiz_passed,
        "quiz_pass_rate": _pct(a.quiz_pass_rate),
        "attendance": a.attendance,
        "meets_target": a.meets_target,
        "pace": None
        if a.pace is None
        else {
            "gained_4_weeks": a.pace.gained,
            "reach_month": a.pace.reach_month,
            "on_track": a.pace.on_track,
            "campaign_end": a.pace.campaign_end.isoformat(),
        },
    }


TABLE_HEADERS = ["Tên", "Người TT", "Đăng ký", "HĐ 30 ngày", "Lượt HT", "HT cốt lõi", "Bao phủ", "Đạt KT", "Dự lớp"]


def _table(rows: list[stats.AreaStats]) -> str:
    cells = [TABLE_HEADERS] + [
        [
            a.name,
            formatting.fmt_int(a.adults),
            formatting.fmt_int(a.registered),
            formatting.fmt_int(a.active_30d),
            formatting.fmt_int(a.completions),
            formatting.fmt_int(a.covered),
            formatting.fmt_pct(a.coverage),
            formatting.fmt_pct(a.quiz_pass_rate),
            formatting.fmt_int(a.attendance),
        ]
        for a in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(TABLE_HEADERS))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _csv(rows: list[stats.AreaStats]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    keys = list(_area_dict(rows[0]).keys()) if rows else []
    w.writerow(keys)
    for a in rows:
        w.writerow(["" if v is None else v for v in _area_dict(a).values()])
    return buf.getvalue()


async def _build(
    session: AsyncSession, app: AppContext, args: argparse.Namespace, period: periods.Period
) -> tuple[str | bytes, str]:
    """(output, default file name) for the requested format."""
    if args.commune:
        ov = await stats.commune_overview(session, app, args.commune, period)
        rows = [*ov.villages, ov.totals]
        if args.format == "xlsx":
            return reports.overview_xlsx(ov, app.settings.tz, app.clock()), reports.report_filename(ov)
        if args.format == "pdf":
            try:
                body = reports.overview_pdf(ov, app.settings.tz, app.clock())
            except reports.FontMissing as err:
                raise UserError(str(err)) from None
            return body, reports.report_filename(ov, "pdf")
        if args.format == "json":
            doc = {
                "commune": ov.commune_id,
                "name": ov.name,
                "period": period.key,
                "period_label": period.label,
                "target": ov.target,
                "totals": _area_dict(ov.totals),
                "villages": [_area_dict(a) for a in ov.villages],
                "classes": ov.classes,
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title,
                        "core": lesson.core,
                        "completions": lesson.completions,
                        "by_village": lesson.by_village,
                    }
                    for lesson in ov.lessons
                ],
                "weekly": [{"week_start": w.week_start.isoformat(), "completions": w.completions} for w in ov.weekly],
            }
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n", ""
        header = f"{ov.name} — {period.label}\n"
    else:
        if args.format in REPORT_FORMATS:
            raise UserError(f"--format {args.format} needs --commune ID (the report is per commune).")
        rows = await stats.communes_summary(session, app, period)
        if args.format == "json":
            doc = {
                "period": period.key,
                "period_label": period.label,
                "target": stats.TARGET,
                "communes": [_area_dict(a) for a in rows],
            }
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n", ""
        header = f"Các xã — {period.label}\n"
    if args.format == "csv":
        return _csv(rows), ""
    return header + _table(rows), ""


async def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        async with open_runtime(settings) as runtime:
            app = runtime.app_ctx
            period = periods.parse_period_key(args.period, app.clock(), app.settings.tz)
            if args.commune:
                stats.get_commune(app, args.commune)
            async with runtime.sessionmaker() as session:
                output, default_name = await _build(session, app, args, period)
    except UserError as err:
        print(f"hocvuso stats: {err.message}", file=sys.stderr)
        return 2
    return _emit(output, args.out or default_name)


def _emit(output: str | bytes, out: str) -> int:
    """Write to `out` (or stdout when empty); an unwritable file is an error message, not a traceback."""
    try:
        if isinstance(output, bytes):
            Path(out).write_bytes(output)
        elif out:
            Path(out).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
            return 0
    except OSError as err:
        print(f"hocvuso stats: cannot write {out}: {err.strerror}", file=sys.stderr)
        return 1
    print(f"Đã ghi {out}", file=sys.stderr)
    return 0
