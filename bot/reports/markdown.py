"""The report as Markdown, laid out from the same blocks as the Word and HTML reports.

Headings step down one level under the report's title, tables become pipe tables (a cell's
list items on one line with <br>), and charts are left out: Markdown is read as text.
"""
from __future__ import annotations

from bot.reports.blocks import Chart, Heading, Paragraph, Report, Table


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    for block in report.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [block.text, ""]
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        elif isinstance(block, Chart):
            continue
    return "\n".join(lines).rstrip() + "\n"
