"""A report as one self-contained HTML page (Jinja2, charts inlined as PNG data), for a browser or a link.

The template (bot/reports/templates/report.html) escapes every stored text, so an answer with markup
shows as typed and never runs.
"""
from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.reports.blocks import Chart, Heading, Paragraph, Report, Table

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                         autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report) -> str:
    blocks = []
    for block in report.blocks:
        if isinstance(block, Heading):
            blocks.append({"kind": "heading", "text": block.text, "level": min(block.level + 1, 4)})
        elif isinstance(block, Paragraph):
            blocks.append({"kind": "paragraph", "text": block.text})
        elif isinstance(block, Table):
            blocks.append({"kind": "table", "header": block.header, "rows": block.rows, "caption": block.caption})
        elif isinstance(block, Chart):
            blocks.append({"kind": "chart", "caption": block.caption,
                           "src": "data:image/png;base64," + base64.b64encode(block.png).decode()})
    return _TEMPLATES.get_template("report.html").render(title=report.title, blocks=blocks)


def write_html(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
