"""Benchmark of the team features and the reports on a throw-away SQLite database: a team of N
members who have all answered the 17 factors, then the ratings comparison, the team export, the
Word and HTML reports (with charts) and a member's own report; median and worst of several
runs, and the process's peak memory. Run: make bench-reports [MEMBERS=30]
"""
from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage.db import Database  # noqa: E402
from bot.app import build as build_app  # noqa: E402
from bot.conversation.guide import Guide  # noqa: E402
from bot.content.knowledge import knowledge  # noqa: E402
from bot.reports.blocks import team_report, user_report  # noqa: E402
from bot.reports.docx import write_docx  # noqa: E402
from bot.reports.html import render_html  # noqa: E402

RUNS = 5
SECTORS = ["District", "Charter", "Catholic or private school", "City or state agency", "Community partner"]
ANSWERS = ["strongly disagree", "disagree", "agree", "strongly agree", "n/a"]


def build(guide: Guide, members: int) -> str:
    turn, _, _ = guide.team("m0", "create a team called Benchmark Compact", datetime.now())
    code = turn.replies[0].text.split("join team ")[1][:6]
    for number in range(members):
        user = f"m{number}"
        if number:
            guide.team(user, f"join team {code}", datetime.now())
        for answer in (f"Member {number}", f"Organisation {number}", SECTORS[number % 5], "principal"):
            guide.workbook.handle(user, answer)
        guide.start_self_assessment(user)
        for step in range(21):   # 17 factors and 4 next-steps questions
            with guide.db.transaction() as repo:
                awaiting = repo.participant(user).awaiting
            if awaiting is None:
                break
            guide.assessment.handle(user, "skip" if awaiting.endswith(".next_steps") else ANSWERS[(number + step) % 5])
    return code


def timed(label: str, work, runs: int = RUNS) -> None:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    print(f"{label:44} median {statistics.median(seconds) * 1000:8.1f} ms   worst {max(seconds) * 1000:8.1f} ms")


def main() -> None:
    members = int(os.environ.get("MEMBERS", "30"))
    kb = knowledge()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        app = build_app(db, kb)
        guide = app.guide
        start = time.perf_counter()
        code = build(guide, members)
        print(f"built a team of {members} members, each with 17 answers, in {time.perf_counter() - start:.1f} s")
        timed("chat: compare our ratings", lambda: guide.team("m1", "compare our ratings", datetime.now()))
        timed("chat: team progress (facilitator)", lambda: guide.team("m0", "team progress", datetime.now()))
        data = app.exports.team(code)
        timed("export --team (JSON dict)", lambda: app.exports.team(code))
        timed("team report: blocks and 3 charts", lambda: team_report(data, kb))
        report = team_report(data, kb)
        timed("team report: Word document", lambda: write_docx(report, Path(folder) / "team.docx"))
        timed("team report: HTML page", lambda: render_html(report))
        mine = app.exports.user("m1")
        timed("a member's report: blocks, charts, Word", lambda: write_docx(user_report(mine, kb), Path(folder) / "m1.docx"))
        size = (Path(folder) / "team.docx").stat().st_size
        print(f"team Word document: {size / 1024:.0f} KiB; HTML page: {len(render_html(report)) / 1024:.0f} KiB")
        db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
