"""Charts for the reports, drawn with matplotlib from the export's data: PNG bytes of a fixed size.

Where people would rather look than read: the four dimensions for a user (or a team, with each
member's average as a dot when the team opted in to showing ratings by organisation), where a
team agrees and disagrees factor by factor, and how far the journey through the five stages has
come. Every chart is WIDTH x HEIGHT pixels so documents lay out the same way each time.
"""
from __future__ import annotations

import io
from typing import Optional, Sequence

import matplotlib

matplotlib.use("Agg")  # no screen: render straight to PNG
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.colors import ListedColormap  # noqa: E402

WIDTH, HEIGHT, DPI = 900, 500, 100
READY_AT = 3.0
_STATE_COLOURS = {"done": "#2e7d32", "in progress": "#f9a825", "not started": "#cfd8dc"}
_RATING_COLOURS = ["#c62828", "#ef9a9a", "#a5d6a7", "#2e7d32"]   # strongly disagree .. strongly agree


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _figure():
    return plt.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) read from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def dimensions_chart(title: str, means: dict[str, Optional[float]],
                     members: Optional[dict[str, dict[str, Optional[float]]]] = None) -> bytes:
    """A bar per dimension on the 1-4 readiness scale, the "ready" line at 3; `members` adds each
    member's average as a labelled dot (only passed when the team opted in)."""
    figure = _figure()
    axes = figure.add_axes([0.34, 0.14, 0.62, 0.74])
    names = list(means)
    values = [means[n] or 0 for n in names]
    colours = ["#2e7d32" if (v or 0) >= READY_AT else "#ef6c00" for v in values]
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, values, color=colours, height=0.55)
    for y, name in zip(positions, names):
        label = f"{means[name]:.1f}" if means[name] is not None else "no answers"
        axes.text((means[name] or 1) + 0.04, y, label, va="center", fontsize=10)
    for index, (member, scores) in enumerate((members or {}).items()):
        xs = [scores.get(n) for n in names]
        axes.scatter([x for x in xs if x is not None], [y for x, y in zip(xs, positions) if x is not None],
                     marker="o", s=36, zorder=3, label=member, color=plt.cm.tab10(index % 10), edgecolors="white")
    if members:
        axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.axvline(READY_AT, color="#37474f", linestyle="--", linewidth=1)
    axes.text(READY_AT + 0.03, -0.62, "ready from here", fontsize=8, color="#37474f")
    axes.set_xlim(1, 4.3)
    axes.set_ylim(-0.75, len(names) - 0.5)
    axes.set_yticks(positions)
    axes.set_yticklabels(names, fontsize=10)
    axes.set_xticks([1, 2, 3, 4])
    axes.set_xticklabels(["1 strongly\ndisagree", "2 disagree", "3 agree", "4 strongly\nagree"], fontsize=8)
    axes.set_title(title, fontsize=12, loc="left")
    return _png(figure)


def agreement_heatmap(title: str, factors: Sequence[str], rows: Sequence[str],
                      cells: Sequence[Sequence[Optional[float]]], counts: bool) -> bytes:
    """Factors across, rows down. `counts`: rows are the four scale points and cells how many
    members chose each (no one's rating shows); else rows are members and cells their 1-4 rating."""
    figure = _figure()
    axes = figure.add_axes([0.2, 0.2, 0.76, 0.68])
    grid = [[float("nan") if v is None else v for v in row] for row in cells]
    highest = max([1] + [v or 0 for r in cells for v in r])
    if counts:
        image = axes.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=highest)
    else:
        image = axes.imshow(grid, aspect="auto", cmap=ListedColormap(_RATING_COLOURS), vmin=0.5, vmax=4.5)
    for y, row in enumerate(cells):
        for x, value in enumerate(row):
            text = "–" if value is None else f"{value:.0f}"
            dark = value is not None and (value > highest / 2 if counts else value in (1, 4))
            axes.text(x, y, text, ha="center", va="center", fontsize=8, color="white" if dark else "#263238")
    axes.set_xticks(range(len(factors)))
    axes.set_xticklabels(factors, fontsize=8)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels(rows, fontsize=9)
    axes.set_xlabel("factor (question number)", fontsize=9)
    colour_bar = figure.colorbar(image, ax=axes, fraction=0.03, pad=0.01)
    colour_bar.ax.tick_params(labelsize=8)
    axes.set_title(title, fontsize=12, loc="left")
    return _png(figure)


def stages_chart(title: str, stages: Sequence[tuple[str, str]]) -> bytes:
    """One band per stage (label, state), coloured done / in progress / not started."""
    figure = _figure()
    axes = figure.add_axes([0.05, 0.3, 0.9, 0.5])
    for x, (label, state) in enumerate(stages):
        axes.barh(0, 1, left=x, color=_STATE_COLOURS.get(state, "#cfd8dc"), edgecolor="white", linewidth=3)
        ink = "white" if state == "done" else "#263238"
        axes.text(x + 0.5, 0.1, label, ha="center", va="center", fontsize=10, color=ink)
        axes.text(x + 0.5, -0.2, state, ha="center", va="center", fontsize=9, color=ink)
    axes.set_xlim(0, len(stages))
    axes.set_ylim(-0.5, 0.5)
    axes.axis("off")
    axes.set_title(title, fontsize=12, loc="left")
    return _png(figure)
