"""Charts as PNG bytes (matplotlib, Agg, no global pyplot state: safe in threads)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.services.stats import TARGET, AreaStats, WeekPoint

# Drawn for a phone: a 390 px screen shows the image about 366 px wide, so a figure 4.4 in wide at
# 110 dpi (~480 px, more with the labels outside the axes) is scaled by ~0.7: 12 pt text (~18 px in
# the image) reads as ~12-13 px.
# The dashboard test checks the displayed size of the smallest text in Chromium.
DPI = 110
WIDTH_IN = 4.4
MIN_FONT_PT = 12
TITLE_PT = 13

_OK = "#2e7d32"
_LOW = "#f9a825"
_TARGET = "#c62828"


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def coverage_chart(title: str, areas: list[AreaStats], target: float = TARGET) -> bytes:
    """Horizontal bars: coverage (finished core set / adults) per area, with the target line."""
    areas = [a for a in areas if a.adults > 0] or areas
    height = max(3.0, 0.5 * len(areas) + 1.8)
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = fig.subplots()
    names = [a.name for a in areas][::-1]
    values = [a.coverage * 100 for a in areas][::-1]
    colors = [_OK if a.meets_target else _LOW for a in areas][::-1]
    bars = ax.barh(names, values, color=colors)
    for bar, value in zip(bars, values, strict=True):
        ax.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            f"{value:.1f}%".replace(".", ","),
            va="center",
            fontsize=MIN_FONT_PT,
        )
    ax.axvline(target * 100, color=_TARGET, linestyle="--", linewidth=1.5, label=f"Mục tiêu {int(target * 100)}%")
    ax.set_xlim(0, max(100.0, *(v + 12 for v in values)) if values else 100)
    ax.set_xlabel("% người trưởng thành xong bộ cốt lõi", fontsize=MIN_FONT_PT)
    ax.set_title(title, fontsize=TITLE_PT, wrap=True)
    ax.tick_params(labelsize=MIN_FONT_PT)
    ax.legend(loc="lower right", fontsize=MIN_FONT_PT)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def trend_chart(title: str, weekly: list[WeekPoint]) -> bytes:
    """Completions per week (Monday-based), as columns."""
    fig = Figure(figsize=(WIDTH_IN, 3.2))
    ax = fig.subplots()
    labels = [w.week_start.strftime("%d/%m") for w in weekly]
    ax.bar(labels, [w.completions for w in weekly], color="#1565c0")
    ax.set_title(title, fontsize=TITLE_PT, wrap=True)
    ax.set_ylabel("Lượt hoàn thành", fontsize=MIN_FONT_PT)
    ax.tick_params(labelsize=MIN_FONT_PT)
    ax.tick_params(axis="x", labelrotation=60)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)
