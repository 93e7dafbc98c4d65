"""Benchmark of the lesson search: hit@1, hit@3 and MRR on the evaluation questions in
tests/data/lesson_questions_*.yml, for our search and for plain BM25 over the same lessons,
plus query latency once loaded. Run: make bench-lessons
"""
from __future__ import annotations

import glob
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.lessons.search import LessonSearch, PlainBM25  # noqa: E402
from bot.lessons.catalogue import lessons  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


def questions() -> list[dict]:
    found = []
    for path in sorted(glob.glob(str(PROJECT / "tests" / "data" / "lesson_questions_*.yml"))):
        name = Path(path).stem.replace("lesson_questions_", "")
        found += [{**q, "set": name} for q in yaml.safe_load(Path(path).read_text())["questions"]]
    return found


def evaluate(engine, qs: list[dict]) -> dict:
    hit1 = hit3 = rr = 0.0
    misses = []
    for q in qs:
        ranked = [h.lesson.id for h in engine.search(q["q"], top=10)]
        relevant = set(q["ids"])
        rank = next((i for i, lesson_id in enumerate(ranked, start=1) if lesson_id in relevant), None)
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0
        if not rank or rank > 3:
            misses.append((q["q"], q["ids"][0], ranked[:3]))
    n = len(qs)
    return {"hit@1": hit1 / n, "hit@3": hit3 / n, "mrr": rr / n, "misses": misses}


def main() -> None:
    all_lessons = lessons()
    qs = questions()
    started = time.perf_counter()
    ours = LessonSearch(all_lessons)
    build = time.perf_counter() - started
    baseline = PlainBM25(all_lessons)
    print(f"{len(all_lessons)} lessons, {len(qs)} questions; index built in {build * 1000:.0f} ms")
    print(f"{'engine':<22}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}")
    results = {}
    for name, engine in (("plain BM25 (baseline)", baseline), ("Common Ground search", ours)):
        results[name] = evaluate(engine, qs)
        r = results[name]
        print(f"{name:<22}{r['hit@1']:>8.3f}{r['hit@3']:>8.3f}{r['mrr']:>8.3f}")
    print("\nby question set (baseline -> ours; hit@3 / MRR):")
    for subset in sorted({q["set"] for q in qs}):
        part = [q for q in qs if q["set"] == subset]
        b, o = evaluate(baseline, part), evaluate(ours, part)
        print(f"  {subset:<7} {len(part):>3} questions: hit@3 {b['hit@3']:.3f} -> {o['hit@3']:.3f}, "
              f"MRR {b['mrr']:.3f} -> {o['mrr']:.3f}")
    timings = []
    for _ in range(3):
        for q in qs:
            start = time.perf_counter()
            ours.search(q["q"], top=5)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"query latency over {len(timings)} queries: median {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms")
    if "-v" in sys.argv:
        print("\nquestions our search misses in the top 3 (question, expected, got):")
        for q, expected, got in results["Common Ground search"]["misses"]:
            print(f"- {q!r}: {expected} -> {got}")


if __name__ == "__main__":
    main()
