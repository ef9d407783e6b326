"""The monthly .xlsx opens with openpyxl and has the document form, the expected sheets, headers and numbers."""

from __future__ import annotations

import io
from collections import Counter

from openpyxl import load_workbook

from bot.runtime import Runtime
from bot.services import periods, reports, stats
from tests.support.reports import table
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

    # every sheet is an administrative document: issuer, motto, place and date, title, signatures
    for ws in wb.worksheets:
        text = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        for line in ("ỦY BAN NHÂN DÂN", "XÃ HÀ LONG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
            assert line in text, (ws.title, line)
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "Hà Long, ngày 20 tháng 11 năm 2026" in text
        assert "(Số liệu từ ngày 01/10/2026 đến ngày 31/10/2026)" in text
        assert {"NGƯỜI LẬP BIỂU", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"} <= set(text)

    # summary: numbered indicators with units
    ws = wb["Tổng hợp"]
    head, body_rows = table(ws)
    assert head == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]
    labels = {r[1]: r[3] for r in body_rows}
    assert [r[0] for r in body_rows] == list(range(1, len(body_rows) + 1))
    assert labels["Lượt hoàn thành bài học trong kỳ"] == sum(e["completions"] for e in exp.values())
    core_total = sum(e["core"] for e in exp.values())
    adults = sum(v.adults for v in villages)
    assert labels["Người hoàn thành bộ bài cốt lõi (lũy kế)"] == core_total
    assert labels["Tỷ lệ bao phủ"] == round(core_total / adults, 4)
    assert labels["Mục tiêu"] == 0.8
    pct_cell = next(r[3] for r in ws.iter_rows(min_row=10) if r[1].value == "Tỷ lệ bao phủ")
    assert pct_cell.number_format.endswith("0.0%")

    # per village
    ws = wb["Theo thôn"]
    head, rows = table(ws)
    assert head == ["STT", *reports.VILLAGE_HEADERS]
    by_name = {r[1]: r[1:] for r in rows}
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
    head, rows = table(ws)
    assert head[:4] == reports.LESSON_HEADERS
    assert head[4:] == [v.name for v in villages]
    counts = Counter(
        (d.lesson, d.village) for p in data.people for d in p.done if d.commune == "ha-long" and in_period(d.at, period)
    )
    for r in rows:
        lesson_id = r[0]
        assert r[2] == ("Có" if app.catalog.lessons[lesson_id].core else "Không")
        assert list(r[4:]) == [counts.get((lesson_id, v.id), 0) for v in villages]
        assert r[3] == sum(r[4:])
    assert {r[0] for r in rows} == set(app.catalog.lessons)

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
