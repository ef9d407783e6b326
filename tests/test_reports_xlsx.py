"""The monthly .xlsx opens with openpyxl and has the expected sheets, headers, dates and numbers."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

from openpyxl import load_workbook

from bot.runtime import Runtime
from bot.services import periods, reports, stats
from tests.support.stats_data import expected_villages, generate, in_period, store


async def test_monthly_workbook(runtime: Runtime) -> None:
    data = generate(runtime, seed=11)
    await store(runtime, data)
    app = runtime.app_ctx
    period = periods.month_period(2026, 10, app.settings.tz)
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, app, "ha-long", period, with_trend=False)
        summary = await reports.monthly_summary_text(session, app, "ha-long", 2026, 10)
    body = reports.overview_xlsx(ov, app.settings.tz, app.clock())
    assert reports.report_filename(ov) == "bao-cao-ha-long-10-2026.xlsx"

    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["Tổng hợp", "Theo thôn", "Theo bài học"]
    exp = expected_villages(runtime, data, "ha-long", period)
    villages = app.places.communes["ha-long"].villages

    # summary: dates as real dates shown dd/mm/yyyy, totals
    ws = wb["Tổng hợp"]
    labels = {row[0].value: row[1] for row in ws.iter_rows(min_row=2, max_col=2) if row[0].value}
    assert labels["Xã"].value == "Xã Hà Long"
    assert labels["Từ ngày"].value.date() == date(2026, 10, 1)
    assert labels["Đến ngày"].value.date() == date(2026, 10, 31)
    assert labels["Ngày lập"].value.date() == date(2026, 11, 20)
    assert labels["Từ ngày"].number_format == "DD/MM/YYYY"
    assert labels["Lượt hoàn thành bài học trong kỳ"].value == sum(e["completions"] for e in exp.values())
    core_total = sum(e["core"] for e in exp.values())
    adults = sum(v.adults for v in villages)
    assert labels["Người hoàn thành bộ bài cốt lõi (lũy kế)"].value == core_total
    assert labels["Tỷ lệ bao phủ"].value == round(core_total / adults, 4)
    assert labels["Tỷ lệ bao phủ"].number_format == "0.0%"
    assert labels["Mục tiêu"].value == 0.8

    # per village
    ws = wb["Theo thôn"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == reports.VILLAGE_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    for v in villages:
        e = exp[v.id]
        r = by_name[v.name]
        assert r[1:6] == (v.adults, e["registered"], e["active"], e["completions"], e["core"])
        assert r[6] == round(e["core"] / v.adults, 4)
        assert r[7] == e["attempts"]
        assert r[8] == (round(e["passed"] / e["attempts"], 4) if e["attempts"] else None)
        assert r[9] == e["attendance"]
    total = by_name["Tổng cộng"]
    assert total[4] == sum(e["completions"] for e in exp.values())

    # per lesson x village
    ws = wb["Theo bài học"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][:4]) == reports.LESSON_HEADERS
    assert list(rows[0][4:]) == [v.name for v in villages]
    counts = Counter(
        (d.lesson, d.village) for p in data.people for d in p.done if d.commune == "ha-long" and in_period(d.at, period)
    )
    for r in rows[1:]:
        lesson_id = r[0]
        assert r[2] == ("Có" if app.catalog.lessons[lesson_id].core else "Không")
        assert list(r[4:]) == [counts.get((lesson_id, v.id), 0) for v in villages]
        assert r[3] == sum(r[4:])
    assert {r[0] for r in rows[1:]} == set(app.catalog.lessons)

    # the text officials get on the 10th
    assert "Xã Hà Long — tháng 10/2026" in summary
    assert f"Lượt hoàn thành bài học: {sum(e['completions'] for e in exp.values())}" in summary
    assert "/baocao 10/2026" in summary


async def test_csv_export_has_bom_and_rows(runtime: Runtime) -> None:
    data = generate(runtime, seed=3, n=60)
    await store(runtime, data)
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(
            session, runtime.app_ctx, "bach-ngoc", periods.all_time(runtime.app_ctx.clock()), with_trend=False
        )
    text = reports.overview_csv(ov).decode("utf-8")
    assert text.startswith("\ufeffThôn,")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + len(runtime.app_ctx.places.communes["bach-ngoc"].villages) + 1
    assert lines[-1].startswith("Tổng cộng,")
