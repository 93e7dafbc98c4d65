"""Who wrote what in a team's shared worksheet, kept inside the document as `_by`.

`_by` maps a field's path to the participant id of its author; a list field maps to a list of
ids, one per item, so partners adding inputs to one logic model are each credited. The same map
lets "delete my data" take out exactly what one person wrote and leave the rest.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from bot.worksheets.fields import get_path, set_path

KEY = "_by"


def record(doc: dict, path: str, before: Any, after: Any, writer: int) -> None:
    """Credits `writer` with the answer now at `path` (for a list: with the items it added)."""
    by = dict(doc.get(KEY) or {})
    if isinstance(after, list):
        previous = by.get(path) if isinstance(by.get(path), list) else []
        kept = len(before) if isinstance(before, list) and after[:len(before)] == before else 0
        credits = (list(previous) + [None] * kept)[:kept]
        by[path] = credits + [writer] * (len(after) - kept)
    else:
        by[path] = writer
    doc[KEY] = by


def authors(doc: dict) -> dict[int, list[str]]:
    """participant id -> the paths they wrote (a list field once, however many items)."""
    found: dict[int, list[str]] = {}
    for path, who in (doc.get(KEY) or {}).items():
        for writer in (who if isinstance(who, list) else [who]):
            if writer is not None and path not in found.setdefault(writer, []):
                found[writer].append(path)
    return found


def forget(doc: dict, writer: int, clear: Optional[Callable[[dict, str], None]] = None) -> int:
    """Removes every answer `writer` gave; returns how many answers (or list items) went."""
    by = dict(doc.get(KEY) or {})
    removed = 0
    for path, who in list(by.items()):
        if isinstance(who, list):
            items = get_path(doc, path)
            if not isinstance(items, list):
                continue
            keep = [i for i, credit in enumerate(who) if credit != writer]
            removed += len(who) - len(keep)
            set_path(doc, path, [items[i] for i in keep if i < len(items)] + items[len(who):])
            by[path] = [who[i] for i in keep]
        elif who == writer:
            (clear or _clear)(doc, path)
            del by[path]
            removed += 1
    doc[KEY] = by
    return removed


def _clear(doc: dict, path: str) -> None:
    set_path(doc, path, None)
