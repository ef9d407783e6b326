"""Officials in chat: /thongke (summary + chart), /baocao [tháng] (the .xlsx; on Zalo one-time download
links), /dangnhap (web link).

Role and commune are checked in the services on every call; payload ids are never trusted.
"""

from __future__ import annotations

import asyncio

from bot import callbacks as cb
from bot import formatting
from bot.db.models import Role, User
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.router import router
from bot.messages import Button, Document, Reply, link_button
from bot.services import charts, downloads, periods, reports, stats, weblogin
from bot.services.errors import UserError
from bot.services.roles import require_official

BTN_STATS = "📈 Thống kê"
BTN_REPORT = "📄 Báo cáo tháng trước"
BTN_WEB = "🌐 Mở trang thống kê"
BTN_XLSX = "⬇ Tải Excel"
BTN_PDF = "⬇ Tải PDF"
BTN_GUIDED = "🤝 Người được hướng dẫn trực tiếp"
OA_CHANNEL = "zalo_oa"
FILELESS_CHANNELS = frozenset({"zalo", OA_CHANNEL})  # they cannot deliver a file: the report comes as a link


@router.menu_entry
def _stats_entry(user: User) -> list[Button]:
    return [cb.Stats("").button(BTN_STATS, no.OFFICIAL_STATS)] if user.role in (Role.OFFICIAL, Role.ADMIN) else []


def _commune_for(ctx: Ctx, wanted: str) -> str | None:
    """The commune to show: an official's own; for an admin the one asked for (None = all)."""
    user = require_official(ctx.user)
    wanted = wanted.strip()
    if user.role != Role.ADMIN:
        if wanted and wanted != user.role_commune_id:
            require_official(user, wanted)  # raises the kind refusal
        if not user.role_commune_id:
            raise UserError("Tài khoản của bạn chưa được gắn với xã nào. Xin liên hệ quản trị viên.")
        return user.role_commune_id
    if wanted:
        stats.authorize(user, ctx.app, wanted)
        return wanted
    return None


def _actions(commune_id: str | None) -> tuple[tuple[Button, ...], ...]:
    buttons: list[Button | None] = [
        cb.Report(commune_id).button(BTN_REPORT, no.OFFICIAL_REPORT) if commune_id else None,
        cb.WebLogin().button(BTN_WEB, no.OFFICIAL_WEB),
        cb.GuidedList(commune_id, 0).button(BTN_GUIDED, no.OFFICIAL_GUIDED) if commune_id else None,
        MENU_BUTTON,
    ]
    return rows(*buttons)


async def _stats_replies(ctx: Ctx, arg: str) -> list[Reply]:
    commune_id = _commune_for(ctx, arg)
    period = periods.all_time(ctx.now)
    if commune_id is None:  # admin, every commune
        totals = await stats.communes_summary(ctx.session, ctx.app, period)
        lines = [f"📈 Các xã — {period.label}"]
        for t in totals:
            lines.append(
                f"{'✅' if t.meets_target else '▫️'} {t.name}: {formatting.fmt_int(t.covered)}/"
                f"{formatting.fmt_int(t.adults)} = {formatting.fmt_pct(t.coverage)}"
            )
        png = await asyncio.to_thread(charts.coverage_chart, "Tỷ lệ bao phủ theo xã", totals)
        pick = [cb.Stats(t.id).button(t.name) for t in totals]
        return [Reply("\n".join(lines), buttons=rows(*pick, MENU_BUTTON), image_bytes=png)]
    ov = await stats.commune_overview(ctx.session, ctx.app, commune_id, period, with_trend=False)
    png = await asyncio.to_thread(charts.coverage_chart, f"{ov.name} — tỷ lệ bao phủ theo thôn", ov.villages)
    return [Reply(reports.overview_text(ov), buttons=_actions(commune_id), image_bytes=png)]


@router.command("thongke", "thong_ke")
async def thongke(ctx: Ctx, arg: str) -> list[Reply]:
    return await _stats_replies(ctx, arg)


@router.button(cb.Stats)
async def stats_button(ctx: Ctx, arg: cb.Stats) -> list[Reply]:
    return await _stats_replies(ctx, arg.commune_id)


def _split_report_arg(ctx: Ctx, arg: str) -> tuple[str, str]:
    """ "/baocao 11/2026 ha-long" -> ("11/2026", "ha-long"); a trailing known commune id is split off."""
    parts = arg.split()
    if parts and parts[-1] in ctx.app.places.communes:
        return " ".join(parts[:-1]), parts[-1]
    return arg, ""


async def _report_replies(ctx: Ctx, month_text: str, wanted: str) -> list[Reply]:
    commune_id = _commune_for(ctx, wanted)
    if commune_id is None and not month_text.strip():  # admin, last month: pick the commune by number
        pick = [cb.Report(c.id).button(c.name) for c in ctx.app.places.communes.values()]
        return [Reply("📄 Báo cáo tháng trước của xã nào?", buttons=rows(*pick, MENU_BUTTON))]
    if commune_id is None:
        ids = ", ".join(ctx.app.places.communes)
        raise UserError(f"Quản trị viên hãy ghi thêm mã xã, ví dụ: /baocao 11/2026 <mã xã>. Các mã: {ids}.")
    period = periods.parse_month(month_text, ctx.now, ctx.app.settings.tz)
    ov = await stats.commune_overview(ctx.session, ctx.app, commune_id, period, with_trend=False)
    t = ov.totals
    text = (
        f"📄 Báo cáo {ov.name}, {period.label}: {formatting.fmt_int(t.completions)} lượt hoàn thành bài, "
        f"bao phủ {formatting.fmt_pct(t.coverage)} (mục tiêu trên {formatting.fmt_pct(stats.TARGET, 0)})."
    )
    if ctx.incoming.channel in FILELESS_CHANNELS:
        return [await _report_links(ctx, commune_id, period, text)]
    data = await asyncio.to_thread(reports.overview_xlsx, ov, ctx.app.settings.tz, ctx.now)
    doc = Document(reports.report_filename(ov), data, reports.XLSX_MIME)
    return [Reply(text, document=doc, buttons=rows(MENU_BUTTON))]


async def _report_links(ctx: Ctx, commune_id: str, period: periods.Period, text: str) -> Reply:
    """One-time download links (Excel and PDF) and a dashboard login link, where files cannot be sent."""
    xlsx = await downloads.create_link(ctx.session, ctx.app, ctx.user, commune_id, period, "xlsx", ctx.now)
    pdf = await downloads.create_link(ctx.session, ctx.app, ctx.user, commune_id, period, "pdf", ctx.now)
    login = await weblogin.create_login_link(ctx.session, ctx.app, ctx.user, ctx.now)
    text += (
        "\n\nTải báo cáo (mỗi liên kết tải được một lần, trong 24 giờ):"
        f"\n• Excel: {xlsx}\n• PDF: {pdf}"
        f"\n\n🌐 Xem trên trang thống kê (dùng một lần, trong 10 phút):\n{login}"
        "\n\nKhông chuyển các liên kết này cho người khác."
    )
    # link buttons: «open URL» buttons on the Zalo OA; the Zalo Bot shows the links already in the text
    links = [link_button(BTN_XLSX, xlsx), link_button(BTN_PDF, pdf), link_button(BTN_WEB, login)]
    return Reply(text, buttons=rows(*links, MENU_BUTTON))


@router.command("baocao", "bao_cao")
async def baocao(ctx: Ctx, arg: str) -> list[Reply]:
    month_text, wanted = _split_report_arg(ctx, arg)
    return await _report_replies(ctx, month_text, wanted)


@router.button(cb.Report)
async def report_button(ctx: Ctx, arg: cb.Report) -> list[Reply]:
    return await _report_replies(ctx, "", arg.commune_id)


async def _login_replies(ctx: Ctx) -> list[Reply]:
    link = await weblogin.create_login_link(ctx.session, ctx.app, ctx.user, ctx.now)
    return [
        Reply(
            "🌐 Liên kết vào trang thống kê (dùng một lần, hết hạn sau 10 phút):\n"
            f"{link}\n\nKhông chuyển liên kết này cho người khác.",
            buttons=rows(link_button(BTN_WEB, link), MENU_BUTTON),
        )
    ]


@router.command("dangnhap", "dang_nhap")
async def dangnhap(ctx: Ctx, arg: str) -> list[Reply]:
    return await _login_replies(ctx)


@router.button(cb.WebLogin)
async def login_button(ctx: Ctx, arg: cb.WebLogin) -> list[Reply]:
    return await _login_replies(ctx)
