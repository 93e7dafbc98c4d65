"""knowledge/ loads, holds everything the conversation relies on, and rejects broken edits."""
import shutil

import pytest
import yaml

from bot.language.explain import find_term
from bot.content.knowledge import KnowledgeError, load_knowledge, KNOWLEDGE_DIR


def test_seventeen_factors_in_the_toolkit_order(kb):
    assert [d.id for d in kb.dimensions] == ["unifying_purpose", "environment", "partners", "capacity"]
    assert kb.factor_order == ([f"unifying_purpose_{i}" for i in range(1, 5)] + [f"environment_{i}" for i in range(1, 5)]
                               + [f"partners_{i}" for i in range(1, 5)] + [f"capacity_{i}" for i in range(1, 6)])
    assert [kb.factor(f).number for f in kb.factor_order] == list(range(1, 18))
    assert all(kb.factor(f).statements and kb.factor(f).why for f in kb.factor_order)
    assert [f.id for f in kb.factors.values() if f.reverse] == ["environment_2"]


def test_scale_and_stages(kb):
    assert [p.id for p in kb.scale] == ["strongly_disagree", "disagree", "agree", "strongly_agree", "not_applicable"]
    assert [s.letter for s in kb.stages] == list("ABCDE") and kb.stages[1].id == "self_assessment"


@pytest.mark.parametrize("question,term_id", [
    ("what is a unifying purpose?", "unifying_purpose"), ("who is a boundary spanner", "boundary_spanner"),
    ("what's a champion?", "champion"), ("what is a neutral convener?", "neutral_convener"),
    ("what are SMART goals?", "smart"), ("what is a root cause?", "root_cause"),
    ("what is a logic model?", "logic_model"), ("why 5 whys?", "five_whys"), ("what's an initiator", "initiator"),
    ("what are the stages?", "stages"), ("what are the four dimensions", "dimensions"),
    ("why should districts and charters collaborate at all?", "why_collaborate"),
    ("what is this framework?", "framework"), ("what does right-sized scope mean", "right_sized_scope"),
])
def test_glossary_answers_the_terms_people_ask_about(kb, question, term_id):
    assert find_term(question, kb).id == term_id


def _broken_copy(tmp_path, filename, mutate):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    data = yaml.safe_load((target / filename).read_text())
    mutate(data)
    (target / filename).write_text(yaml.safe_dump(data))
    return target


def test_a_factor_without_statements_is_rejected(tmp_path):
    broken = _broken_copy(tmp_path, "self_assessment.yml", lambda d: d["dimensions"][2]["factors"][1].pop("statements"))
    with pytest.raises(KnowledgeError, match="partners factor 2: 'statements' is missing"):
        load_knowledge(broken)


def test_factor_ids_must_follow_the_order(tmp_path):
    def swap(d):
        d["dimensions"][0]["factors"][0]["id"] = "unifying_purpose_9"
    with pytest.raises(KnowledgeError, match="must be 'unifying_purpose_1'"):
        load_knowledge(_broken_copy(tmp_path, "self_assessment.yml", swap))


def test_a_term_needs_text_or_renderer(tmp_path):
    broken = _broken_copy(tmp_path, "glossary.yml", lambda d: d["terms"][5].pop("text"))
    with pytest.raises(KnowledgeError, match="needs either 'text' or 'render'"):
        load_knowledge(broken)


def test_every_worksheet_document_is_checked_for_the_keys_the_code_reads(tmp_path):
    import shutil

    import pytest

    from bot.content.knowledge import DOCUMENTS, KNOWLEDGE_DIR, KnowledgeError, document
    for name in DOCUMENTS:
        assert document(name)   # today's files load
    shutil.copy(KNOWLEDGE_DIR / "planning.yml", tmp_path / "planning.yml")
    text = (tmp_path / "planning.yml").read_text().replace("logic_model:", "logic_models:", 1)
    (tmp_path / "planning.yml").write_text(text)
    with pytest.raises(KnowledgeError, match="planning.yml: 'logic_model' is missing"):
        document("planning.yml", tmp_path)
