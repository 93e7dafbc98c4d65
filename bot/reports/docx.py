"""A report as a Word document partners can edit (python-docx): headings, the toolkit's tables, charts.

Tables use Word's "Table Grid" style with a bold header row, so they print like the toolkit's
templates and stay editable; charts are embedded as pictures the width of the text.
"""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Inches, Pt

from bot.reports.blocks import Chart, Heading, Paragraph, Report, Table


def write_docx(report: Report, path: Path) -> Path:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE   # the templates' wide tables need the width
    section.page_width, section.page_height = section.page_height, section.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Inches(0.7))
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    width = section.page_width - section.left_margin - section.right_margin
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Chart):
            document.add_picture(io.BytesIO(block.png), width=int(width * 0.8))
            document.add_paragraph(block.caption, style="Caption")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _table(document, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    document.add_paragraph()
