"""Cleans what people type before anything reads or stores it.

Messages arrive from terminals, Slack and web pages: they may carry HTML or Slack markup,
control characters, odd spacing or pages of pasted text. Everything the bot stores goes
through `clean_text`, so stored notes are plain text a person can read back.
"""
from __future__ import annotations

import html
import re
import unicodedata

# The longest free-text answer we keep. Longer answers are refused with a clear message
# rather than cut silently, so nothing the user wrote is lost without them knowing.
MAX_ANSWER_CHARS = 4000

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_SLACK_LINK = re.compile(r"<(?:https?://|mailto:)[^|>]*\|([^>]*)>")


def clean_text(text: str) -> str:
    """Plain, single-spaced text: markup and control characters removed, entities decoded."""
    text = unicodedata.normalize("NFC", text or "")
    text = _SLACK_LINK.sub(r"\1", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def too_long(text: str) -> bool:
    return len(text) > MAX_ANSWER_CHARS


_QUESTION = re.compile(
    r"\?\s*$|^(?:what|why|how|who|whom|which|where|when|explain|define|meaning|tell me|can you|could you|"
    r"would you|is there|are there|does|do you|i don'?t (?:understand|get)|not sure what)\b", re.IGNORECASE)


def looks_like_question(text: str) -> bool:
    """A question or a request for an explanation, as opposed to a statement or an answer."""
    return bool(_QUESTION.search(clean_text(text)))
