"""The offline spaCy pipeline the bot's text rules run on: blank English with a lookup lemmatizer.

No model is downloaded: `spacy.blank("en")` tokenizes, and the lemma tables come from the
spacy-lookups-data package. spaCy's thinc layer imports TensorFlow whenever it is installed
(Rasa installs it), which costs about five seconds and is never used by a blank pipeline, so
TensorFlow is hidden from that import unless something in the process already loaded it.
"""
from __future__ import annotations

import sys
from functools import lru_cache


def _import_spacy():
    hide = "tensorflow" not in sys.modules
    if hide:
        sys.modules["tensorflow"] = None  # makes `import tensorflow` fail fast inside thinc
    try:
        import spacy
    finally:
        if hide and sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]
    return spacy


@lru_cache(maxsize=1)
def blank_english():
    """A shared blank English pipeline with lemmas, built once per process."""
    spacy = _import_spacy()
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
