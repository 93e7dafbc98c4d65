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
# Slack and Markdown emphasis around words: *bold*, _italic_, ~struck~, `code`, **bold**.
_EMPHASIS = re.compile(r"(?<![\w*_~`])([*_~`]{1,2})(?=\S)(.+?)(?<=\S)\1(?![\w*_~`])")


# Format characters that belong to what people type: emoji joiners and variation selectors (👩‍👩‍👧, ❤️).
_KEEP_FORMAT = {"\u200d", "\ufe0e", "\ufe0f"}


def clean_text(text: str) -> str:
    """Plain, single-spaced text: entities decoded, then markup and control characters removed (so an
    encoded "&lt;script&gt;" cannot come back as a tag); emoji sequences stay whole."""
    text = unicodedata.normalize("NFC", text or "")
    text = _SLACK_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _TAG.sub(" ", html.unescape(_TAG.sub(" ", text)))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" or ch in _KEEP_FORMAT else " "
                   for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def too_long(text: str) -> bool:
    return len(text) > MAX_ANSWER_CHARS


_QUESTION = re.compile(
    r"\?\s*$|^(?:what|why|how|who|whom|which|where|when|explain|define|meaning|tell me|can you|could you|"
    r"would you|is there|are there|does|do you|i don'?t (?:understand|get)|not sure what)\b", re.IGNORECASE)


def looks_like_question(text: str) -> bool:
    """A question or a request for an explanation, as opposed to a statement or an answer."""
    return bool(_QUESTION.search(clean_text(text)))


_PAUSE = re.compile(
    r"\b(?:(?:have|need|got|going) to (?:run|go|leave|stop|step away|hop off)|gotta (?:go|run)|brb|pause|"
    r"stop (?:here|now|for now|for today)|(?:finish|continue|do this|come back to this|pick this up) later|"
    r"another time|done for (?:now|today)|enough for (?:now|today)|save and (?:quit|exit)|step away|"
    r"talk later|bye)\b|^(?:stop|quit|exit|later)[.!]*$", re.IGNORECASE)
_PROGRESS = re.compile(
    r"\b(?:progress|results?|overview|summary|status|how am i doing|how far|where (?:am i|do i stand|do we stand)|"
    r"what have i|so far|my answers|show (?:me )?(?:my|our|the) (?:answers|work|ratings))\b", re.IGNORECASE)


def looks_like_pause(text: str) -> bool:
    """"I have to run", "pause", "let's stop here": a request to stop for now, not an answer."""
    return bool(_PAUSE.search(clean_text(text)))


def looks_like_progress_request(text: str) -> bool:
    return bool(_PROGRESS.search(clean_text(text)))
