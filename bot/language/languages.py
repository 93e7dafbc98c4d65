"""Telling another language from English, offline, so a message we cannot read is never stored.

The guide works in English for now. lingua ships its language models inside the wheel (nothing
is downloaded); the low-accuracy mode keeps about 16 MB in memory. Short English chat ("prob, if
we share the ESL coaches", "Robert'); DROP TABLE participants;--") can look like German or French
to any detector, so a message in which about a third of the words are English words (spaCy's
lemma tables) is English whatever the detector says.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

# Everyday English words that rarely appear in the other languages' short messages.
_ENGLISH = frozenset("""
about all also am an and any are as at be because been but by can could did do does done for from get go
going good got had has have he her here him his how i if in is it its just know like more most my not
now of on one or our out please right see she should so some that the their them then there they this to too
up us very was we well were what when where which who why will with would yes you your ok okay thanks
thats whats dont cant wont isnt didnt doesnt im ive id ill youre theyre lol pls thx yeah yep nope gonna wanna
gotta kinda sorta idk tbh btw
""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")


@lru_cache(maxsize=1)
def _lemmas():
    """English words from spaCy's lookup lemmatizer (its inflected forms and their lemmas), offline."""
    from bot.language.nlp import blank_english

    table = blank_english().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return table, frozenset(value for value in table.values() if isinstance(value, str))


def _is_english(word: str) -> bool:
    table, lemmas = _lemmas()
    return word in _ENGLISH or word in lemmas or word in table


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder  # loaded on first use: most messages never need it

    # The languages most spoken in US school communities besides English.
    languages = [Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.PORTUGUESE, Language.GERMAN,
                 Language.ITALIAN, Language.CHINESE, Language.VIETNAMESE, Language.ARABIC, Language.RUSSIAN,
                 Language.KOREAN, Language.JAPANESE, Language.SOMALI, Language.TAGALOG]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def other_language(text: str) -> Optional[str]:
    """The language of a message written in something other than English (its English name), or None."""
    words = _WORD.findall(text.lower())
    letters = sum(len(w) for w in words)
    latin = sum(1 for w in words if _LATIN.match(w))
    if letters < (6 if latin else 2):  # a few Chinese characters say as much as a sentence
        return None
    if latin == len(words):
        capitalised = sum(1 for w in _WORD.findall(text) if w[:1].isupper())
        if len(words) < 2 or capitalised * 2 >= len(words):  # names: "Priya Nair", "Metro Charter Network"
            return None
        # words of two letters ("no", "la", "de") are shared by too many languages to count as English
        english = sum(w in _ENGLISH or (len(w) > 2 and _is_english(w)) for w in words) / len(words)
        if english >= 0.3:
            return None
    else:
        english = 0.0
    values = _detector().compute_language_confidence_values(text)
    best = values[0] if values else None
    if best is None or best.language.name == "ENGLISH" or best.value < (0.75 if english == 0 else 0.9):
        return None
    return best.language.name.title()
