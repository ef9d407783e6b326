"""Charts as PNG bytes (matplotlib, Agg, no global pyplot state: safe in threads)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.services.stats import TARGET, AreaStats, WeekPoint

_OK = "#2e7d32"
_LOW = "#f9a825"
_TARGET = "#c62828"


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def coverage_chart(title: str, areas: list[AreaStats], target: float = TARGET) -> bytes:
    """Horizontal bars: coverage (finished core set / adults) per area, with the target line."""
    areas = [a for a in areas if a.adults > 0] or areas
    height = max(2.6, 0.45 * len(areas) + 1.4)
    fig = Figure(figsize=(7, height))
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
            fontsize=9,
        )
    ax.axvline(target * 100, color=_TARGET, linestyle="--", linewidth=1.5, label=f"Mục tiêu {int(target * 100)}%")
    ax.set_xlim(0, max(100.0, *(v + 12 for v in values)) if values else 100)
    ax.set_xlabel("Tỷ lệ người trưởng thành hoàn thành bộ bài cốt lõi (%)")
    ax.set_title(title, fontsize=11)
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def trend_chart(title: str, weekly: list[WeekPoint]) -> bytes:
    """Completions per week (Monday-based), as columns."""
    fig = Figure(figsize=(7, 2.8))
    ax = fig.subplots()
    labels = [w.week_start.strftime("%d/%m") for w in weekly]
    ax.bar(labels, [w.completions for w in weekly], color="#1565c0")
    ax.set_title(title, fontsize=11)
    ax.set_ylabel("Lượt hoàn thành")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)
