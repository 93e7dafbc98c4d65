"""Reports: the Word document's tables hold the stored answers, the charts render from stored data."""
from datetime import date

import pytest
from docx import Document

from bot.reports import charts
from bot.app import build
from bot.reports.blocks import Chart, Paragraph, Table, team_report, user_report
from bot.reports.markdown import render_markdown
from bot.reports.store import stored_report
from bot.reports.docx import write_docx
from bot.reports.html import render_html
from tests.helpers.app import exports, reports
from tests.helpers.conversation import answer_assessment, complete_purpose, run_five_whys
from tests.helpers.teams import ANA, BEN, CARA, boston, team

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def guide(sqlite_db, kb):
    return build(sqlite_db, kb).guide


def tables_by_header(document) -> dict[str, list[list[str]]]:
    """Each table's rows (header first) keyed by its first two header cells."""
    found = {}
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        found.setdefault(" | ".join(rows[0][:2]), []).append(rows)
    return found


def test_the_word_report_holds_the_users_answers_in_the_toolkits_tables(guide, kb, tmp_path):
    complete_purpose(guide)
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree, but funding is unclear")
    guide.assessment.handle("u", "strongly disagree")
    run_five_whys(guide)
    path = write_docx(user_report(exports(guide.db).user("u"), kb, date(2026, 11, 24)), tmp_path / "u.docx")

    document = Document(str(path))
    tables = tables_by_header(document)
    purpose_table = tables["# | Factor"][0]
    assert purpose_table[0] == ["#", "Factor", "Strongly disagree", "Disagree", "Agree", "Strongly agree", "N/A", "Notes"]
    assert purpose_table[1][2:] == ["", "", "X", "", "", "Funding is unclear"]
    assert purpose_table[2][2:] == ["X", "", "", "", "", "-"]
    assert len(tables["# | Factor"]) == 4 and len(tables["# | Factor"][3]) == 6     # 4 dimensions, 5 capacity rows
    goals = tables["# | Goal"][0]
    assert goals[1][1] == "Increase FAFSA completion among seniors from 55% to 70% by March 2027"
    whys = exports(guide.db).user("u")["five_whys"]["whys"]
    assert [row[1] for row in tables["Why | Reason the problem occurs"][0][1:]] == [w["answer"] for w in whys]
    logic = tables["Inputs/resources | Activities"][0]
    assert len(logic[0]) == 6
    assert "Prepared on 2026-11-24" in "\n".join(p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == 2          # the stages and the four dimensions


def test_markdown_lays_out_the_same_blocks_as_word_and_html(guide, kb):
    complete_purpose(guide)
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree, but funding | is unclear")
    run_five_whys(guide)
    report = user_report(exports(guide.db).user("u"), kb, date(2026, 11, 24))
    markdown = render_markdown(report)
    assert markdown.startswith(f"# {report.title}\n")
    for block in report.blocks:
        if isinstance(block, Table):
            assert "| " + " | ".join(block.header) + " |" in markdown
            for row in block.rows:
                assert row[0].replace("\n", "<br>") in markdown
        elif isinstance(block, Paragraph):
            assert block.text in markdown
    assert "Funding \\| is unclear" in markdown       # a typed pipe cannot break the table
    assert not any(isinstance(b, Chart) and "png" in vars(b) for b in report.blocks)   # no chart was drawn


def test_the_team_report_has_members_the_comparison_and_a_heatmap_without_single_ratings(guide, kb, tmp_path):
    code = boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    report = team_report(exports(guide.db).team(code), kb)
    document = Document(str(write_docx(report, tmp_path / "team.docx")))
    tables = tables_by_header(document)
    members = tables["Name | Organisation"][0]
    assert members[1:] == [["Ana", "Boston Public Schools", "District", "principal", "yes", "finished"],
                           ["Ben", "Match Charter", "Charter", "principal", "no", "finished"],
                           ["Cara", "Archdiocese schools", "Catholic or private school", "principal", "no", "finished"]]
    first = tables["# | Factor"][0]
    assert first[0][2:9] == ["Answered", "Strongly disagree", "Disagree", "Agree", "Strongly agree", "N/A", "Average"]
    assert first[1][2:9] == ["3", "1", "1", "0", "1", "0", "2.3"] and first[1][9].startswith("Factor 1 (")
    assert "Match Charter" not in "\n".join(c.text for t in document.tables[1:] for r in t.rows for c in r.cells)
    assert code not in "\n".join(p.text for p in document.paragraphs)   # the join code stays out of reports
    assert [c.caption for c in report.charts()] == [
        "Progress through the five stages (B: every member has finished)", "Pooled readiness per dimension",
        "Where the partners agree and where they differ"]
    team(guide, "ana", "show ratings by organisation")
    opted_in = team_report(exports(guide.db).team(code), kb)
    assert "each organisation's average" in opted_in.charts()[1].caption


def test_charts_are_pngs_of_the_same_size_from_stored_data(guide, kb):
    code = boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    rendered = user_report(exports(guide.db).user("ana"), kb).charts() + team_report(exports(guide.db).team(code), kb).charts()
    assert len(rendered) == 5
    for chart in rendered:
        assert isinstance(chart, Chart) and chart.png.startswith(PNG_SIGNATURE)
        assert charts.png_size(chart.png) == (charts.WIDTH, charts.HEIGHT)
    # different data, different pictures: the chart is drawn from the answers, not a fixed image
    assert rendered[1].png != team_report(exports(guide.db).team(code), kb).charts()[1].png


def test_the_html_report_escapes_what_people_typed(guide, kb):
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree, <script>alert('x')</script> & more")
    page = render_html(user_report(exports(guide.db).user("u"), kb))
    assert "<script>" not in page and "&amp; more" in page
    assert page.count("<table>") >= 4 and page.count('src="data:image/png;base64,') == 2


# --- "send me my report" ---------------------------------------------------------------------------

@pytest.fixture
def reports_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMON_GROUND_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("COMMON_GROUND_PUBLIC_URL", "https://guide.example.org/")
    return tmp_path / "reports"


def test_the_terminal_gets_a_path_and_other_channels_a_link(guide, reports_dir):
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree")
    in_terminal = reports(guide.db).deliver("u", "send me my report", "cmdline")[0][0].text
    path = in_terminal.split("is saved at ")[1].split(".docx")[0] + ".docx"
    assert path.startswith(str(reports_dir)) and Document(path).tables
    link = reports(guide.db).deliver("u", "send me my report", "rest")[0][0].text
    url = link.split("download (a Word document you can edit): ")[1].split(". It holds")[0]
    assert url.startswith("https://guide.example.org/webhooks/reports/")
    token, filename = url.split("/")[-2:]
    assert stored_report(token, filename) is not None and len(token) == 32


def test_a_team_report_goes_only_to_a_member(guide, reports_dir):
    boston(guide)
    reply = reports(guide.db).deliver("ben", "send me our team report", "rest")[0][0]
    assert reply.text.startswith("Boston Compact's report is ready")
    guide.start_self_assessment("eve")
    outsider, made = reports(guide.db).deliver("eve", "send me our team report", "rest")
    assert "not in a team" in outsider[0].text and "download" not in outsider[0].text and made is None
    own = reports(guide.db).deliver("ben", "send me my report", "rest")[0][0]
    assert own.text.startswith("Your report") and own.buttons[0].payload == "send me our team report"


@pytest.mark.parametrize("token, filename", [
    ("short", "a.docx"), ("A" * 32, "../../etc/passwd"), ("A" * 32, "x.txt"), ("../" + "A" * 29, "a.docx"),
    ("A" * 32, "missing.docx"),
])
def test_download_links_only_reach_stored_reports(reports_dir, token, filename):
    assert stored_report(token, filename) is None


def test_deleting_my_data_deletes_my_reports_and_old_reports_expire(guide, reports_dir):
    import os
    from bot.reports import store as report_store
    guide.start_self_assessment("u")
    guide.start_self_assessment("other")
    mine = reports(guide.db).deliver("u", "send me my report", "rest")[1].path
    theirs = reports(guide.db).deliver("other", "send me my report", "rest")[1].path
    guide.delete_data("u", confirmed=True)
    assert not mine.exists() and theirs.exists()
    week_ago = theirs.parent.stat().st_mtime - report_store.KEEP_SECONDS - 60
    os.utime(theirs.parent, (week_ago, week_ago))
    assert report_store.prune() == 1 and not theirs.exists()
