"""The command line: `python -m bot export ...`, and the tools developers reach for.

Errors the user can fix (an unknown user, a bad argument, an unreachable database) print one
clear line on stderr and exit with status 2; they never show a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.config import DATABASE_URL_ENV


class CliError(Exception):
    """A problem to report in one line, without a traceback."""


def _database():
    from bot.storage.db import Database
    try:
        return Database()
    except SQLAlchemyError as error:
        raise CliError(f"cannot open the database ({error.__class__.__name__}); check {DATABASE_URL_ENV}") from error


def cmd_export(args: argparse.Namespace) -> int:
    from bot.app import build
    from bot.reports.export import UnknownTeam, UnknownUser
    db = _database()
    exports = build(db).exports
    try:
        if args.team is not None:
            data = exports.team(args.team)
        else:
            data = exports.user(args.user)
    except UnknownUser:
        raise CliError(f"no stored work for user '{args.user}' (the user id is the chat's sender id)")
    except UnknownTeam:
        raise CliError(f"no team has the code '{args.team}' (codes are 6 letters and digits, e.g. K7P2QX)")
    finally:
        db.dispose()
    if args.format == "json":
        return _write_text(args, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return _write_report(args, data)


def _write_text(args: argparse.Namespace, text: str) -> int:
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


def _write_report(args: argparse.Namespace, data: dict) -> int:
    """Word, HTML or Markdown: the same report blocks, laid out for each."""
    from bot.content.knowledge import knowledge
    from bot.reports.blocks import team_report, user_report
    report = (team_report if args.team is not None else user_report)(data, knowledge())
    if args.format == "docx":
        from bot.reports.docx import write_docx
        if not args.output:
            raise CliError("a Word document needs --output FILE.docx")
        write_docx(report, Path(args.output))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    if args.format == "html":
        from bot.reports.html import render_html
        return _write_text(args, render_html(report))
    from bot.reports.markdown import render_markdown
    return _write_text(args, render_markdown(report))


def cmd_migrate(args: argparse.Namespace) -> int:
    db = _database()
    db.dispose()
    print(f"database schema is up to date ({db.engine.url.render_as_string(hide_password=True)})")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from bot.identity.secret import SecretError, key_for
    from bot.identity.tokens import rest_token
    try:
        if args.api:
            print(key_for("api"))
            return 0
        if not args.user:
            raise CliError("say whose token: --user ID (or --api for the HTTP API's token)")
        if not 0 < args.days <= 3650:
            raise CliError("--days must be between 1 and 3650")
        print(rest_token(args.user, args.days))
    except (SecretError, ValueError) as error:
        raise CliError(str(error)) from error
    return 0


def cmd_smart_check(args: argparse.Namespace) -> int:
    from bot.language.smart import check_goal
    if not args.goal.strip():
        raise CliError("the goal is empty; pass the goal's text in quotes")
    check = check_goal(args.goal)
    if args.format == "json":
        print(json.dumps(check.as_dict(), ensure_ascii=False))
    else:
        marks = {True: "yes", False: "no", None: "ask the team"}
        for criterion, value in check.checks.items():
            print(f"{criterion.replace('_', '-'):17} {marks[value]}")
        print("issues:\n" + "\n".join(f"  - {issue}" for issue in check.issues))
        print(f"suggestion: {check.suggestion}")
    return 0


def cmd_lessons(args: argparse.Namespace) -> int:
    if args.show:
        return _show_lesson(args.show, args.format)
    if args.check:
        return _check_lessons()
    from bot.lessons.search import lesson_search
    if not (args.query or "").strip():
        raise CliError("the question is empty; pass it in quotes (or --show ID, or --check)")
    if args.top < 1:
        raise CliError("--top must be at least 1")
    hits = lesson_search().search(args.query, top=args.top)
    if args.format == "json":
        print(json.dumps([hit.as_dict() for hit in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("No lesson matches that question.")
    for rank, hit in enumerate(hits, start=1):
        lesson = hit.lesson
        print(f"{rank}. {lesson.title} [{lesson.id}] ({lesson.place}; score {hit.score:.2f})\n"
              f"   {lesson.summary}\n   Source: {lesson.source}")
    return 0


FIELD_LABELS = {"initiative": "Initiative", "summary": "Summary", "details": "Details",
                "went_well": "What went well", "went_wrong": "What went wrong"}


def _show_lesson(lesson_id: str, form: str) -> int:
    """One lesson, every fact-bearing field followed by the source section it comes from."""
    from bot.lessons.catalogue import FACT_FIELDS, lessons
    lesson = next((l for l in lessons() if l.id == lesson_id), None)
    if lesson is None:
        close = [l.id for l in lessons() if lesson_id.lower() in l.id][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; `python -m bot lessons \"QUESTION\"` finds ids"
        raise CliError(f"no lesson has the id '{lesson_id}'{hint}")
    fields = [(f, getattr(lesson, f)) for f in FACT_FIELDS if getattr(lesson, f)]
    used = [lesson.source_of(f) for f, _ in fields]
    default = (lesson.source_document, lesson.source_section)
    sources = list(dict.fromkeys(([default] if default in used else []) + used))  # the lesson's own source first
    if form == "json":
        print(json.dumps({"id": lesson.id, "title": lesson.title, "place": lesson.place, "kind": lesson.kind,
                          "fields": {f: {"text": text, "source": dict(zip(("document", "section"), lesson.source_of(f)))}
                                     for f, text in fields},
                          "table": lesson.table.as_text() if lesson.table else None}, indent=2, ensure_ascii=False))
        return 0
    print(f"{lesson.title} [{lesson.id}]\n{lesson.place}, {lesson.kind}; stages: {', '.join(lesson.stages)}")
    for field, text in fields:
        print(f"\n{FIELD_LABELS[field]} [{sources.index(lesson.source_of(field)) + 1}]: {text}")
        if field == "details" and lesson.table:
            print("\n" + lesson.table.as_text())
    print("\nSources:")
    for number, (document, section) in enumerate(sources, start=1):
        print(f"  [{number}] {document}, section \"{section}\"")
    return 0


def _check_lessons() -> int:
    """Every name and figure in the lessons that the cited seed does not hold (exit 1 if any)."""
    from bot.lessons.catalogue import lessons
    from bot.lessons.provenance import SEEDS_DIR, check_lessons
    if not SEEDS_DIR.is_dir():
        raise CliError(f"the source documents are not beside this checkout ({SEEDS_DIR})")
    missing = check_lessons(lessons())
    for entry in missing:
        print(entry)
    print(f"{len(lessons())} lessons checked against {SEEDS_DIR}: {len(missing)} names or figures not found")
    return 1 if missing else 0


def cmd_parse_rating(args: argparse.Namespace) -> int:
    from bot.language.ratings import parse_rating
    parsed = parse_rating(args.text)
    print(json.dumps({"rating": parsed.rating, "note": parsed.note, "reason": parsed.reason}))
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default also exits 2, with usage; keep it short
        self.print_usage(sys.stderr)
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Common Ground: the district-charter collaboration guide.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    export = commands.add_parser("export", help="print a user's or a team's stored work")
    whose = export.add_mutually_exclusive_group(required=True)
    whose.add_argument("--user", help="the user's sender id (as the chat channel sends it)")
    whose.add_argument("--team", help="the team's join code: its shared work, members and ratings comparison")
    export.add_argument("--format", choices=("json", "markdown", "docx", "html"), default="json",
                        help="json (the contract), markdown, docx (an editable Word report with charts) or html")
    export.add_argument("--output", help="write to this file instead of printing (required for docx)")
    export.set_defaults(func=cmd_export)
    migrate = commands.add_parser("migrate", help=f"create or upgrade the database schema ({DATABASE_URL_ENV})")
    migrate.set_defaults(func=cmd_migrate)
    token = commands.add_parser("token", help="print a bearer token for the REST channel (or the HTTP API's token)")
    token.add_argument("--user", help="the sender id the token proves")
    token.add_argument("--days", type=float, default=30, help="how long it is valid (default 30 days)")
    token.add_argument("--api", action="store_true", help="print the token of Rasa's HTTP API instead (operators)")
    token.set_defaults(func=cmd_token)
    smart = commands.add_parser("smart-check", help="check a goal against the SMART criteria")
    smart.add_argument("goal", help="the goal's text, in quotes")
    smart.add_argument("--format", choices=("json", "text"), default="text")
    smart.set_defaults(func=cmd_smart_check)
    lessons = commands.add_parser("lessons", help="find the lessons that answer a question, show one, or check them")
    lessons.add_argument("query", nargs="?", help="the question, in quotes")
    lessons.add_argument("--show", metavar="ID", help="print one lesson with the source of each field")
    lessons.add_argument("--check", action="store_true",
                         help="check every lesson's names and figures against the source documents it cites")
    lessons.add_argument("--top", type=int, default=5, help="how many lessons (default 5)")
    lessons.add_argument("--format", choices=("json", "text"), default="text")
    lessons.set_defaults(func=cmd_lessons)
    parse = commands.add_parser("parse-rating", help="show how a typed answer is read as a rating")
    parse.add_argument("text")
    parse.set_defaults(func=cmd_parse_rating)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return args.func(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: the database refused the request ({error.__class__.__name__}); if the schema is old, "
              f"run `python -m bot migrate`", file=sys.stderr)
        return 2
