"""The storage layer on SQLite and PostgreSQL: migrations, answers, updates, isolation."""
import pytest
from sqlalchemy import inspect

from bot.storage.db import Database


def test_migrations_create_the_tables_and_are_idempotent(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {"participants", "assessment_answers", "dimension_reflections", "alembic_version"} <= tables
    db.migrate()  # a second run finds nothing to do
    assert set(inspect(db.engine).get_table_names()) == tables


def test_participant_is_created_once(db):
    with db.transaction() as repo:
        first = repo.participant("slack:U123").id
    with db.transaction() as repo:
        assert repo.participant("slack:U123").id == first
        assert repo.find_participant("nobody") is None


def test_rating_and_note_are_stored_and_updated_in_place(db):
    with db.transaction() as repo:
        p = repo.participant("u1")
        repo.save_rating(p, "capacity_2", "agree", "Funding is unclear")
    with db.transaction() as repo:
        p = repo.participant("u1")
        repo.save_rating(p, "capacity_2", "disagree", None)  # no new note keeps the old one
    with db.transaction() as repo:
        answers = repo.answers(repo.participant("u1"))
        assert len(answers) == 1
        assert (answers["capacity_2"].rating, answers["capacity_2"].note) == ("disagree", "Funding is unclear")


def test_skips_keep_ratings_and_can_be_cleared(db):
    with db.transaction() as repo:
        p = repo.participant("u2")
        repo.save_rating(p, "partners_1", "agree", None)
        repo.mark_skipped(p, "partners_1")   # skipping an answered factor keeps the answer
        repo.mark_skipped(p, "partners_2")
    with db.transaction() as repo:
        answers = repo.answers(repo.participant("u2"))
        assert answers["partners_1"].rating == "agree" and not answers["partners_1"].skipped
        assert answers["partners_2"].skipped
        repo.clear_skips(repo.participant("u2"))
    with db.transaction() as repo:
        assert not repo.answers(repo.participant("u2"))["partners_2"].skipped


def test_next_steps_and_declines(db):
    with db.transaction() as repo:
        p = repo.participant("u3")
        repo.save_next_steps(p, "environment", "Invite the mayor's office")
        repo.save_next_steps(p, "capacity", None)
    with db.transaction() as repo:
        reflections = repo.reflections(repo.participant("u3"))
        assert reflections["environment"].next_steps == "Invite the mayor's office"
        assert "capacity" in reflections and reflections["capacity"].next_steps is None


def test_users_do_not_see_each_others_answers(db):
    with db.transaction() as repo:
        repo.save_rating(repo.participant("alice"), "environment_3", "strongly_agree", "Mayor")
        repo.participant("bob")
    with db.transaction() as repo:
        assert repo.answers(repo.participant("bob")) == {}


def test_hostile_text_is_stored_verbatim(db):
    hostile = "Robert'); DROP TABLE participants;-- 💥 <script>alert(1)</script> 很好"
    with db.transaction() as repo:
        repo.save_rating(repo.participant(hostile), "capacity_1", "agree", hostile)
    with db.transaction() as repo:
        assert repo.answers(repo.participant(hostile))["capacity_1"].note == hostile


def test_failed_transaction_leaves_nothing(db):
    try:
        with db.transaction() as repo:
            repo.save_rating(repo.participant("u4"), "capacity_1", "agree", None)
            raise RuntimeError("crash mid-turn")
    except RuntimeError:
        pass
    with db.transaction() as repo:
        assert repo.find_participant("u4") is None


def test_data_survives_a_new_connection(db):
    with db.transaction() as repo:
        repo.save_rating(repo.participant("u5"), "unifying_purpose_1", "agree", None)
    again = Database(db.url)
    with again.transaction() as repo:
        assert repo.answers(repo.participant("u5"))["unifying_purpose_1"].rating == "agree"
    again.dispose()


def test_upgrading_an_earlier_schema_keeps_answers_as_round_one(empty_url):
    """A database from before self-assessment rounds (revision 0002) upgrades in place."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from bot.storage.db import alembic_config

    engine = create_engine(empty_url, future=True)
    with engine.begin() as connection:
        config = alembic_config(empty_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(text("INSERT INTO participants (sender_id, created_at, updated_at) "
                                "VALUES ('old', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO assessment_answers (participant_id, factor_id, rating, skipped, updated_at) "
                                "SELECT id, 'capacity_1', 'agree', false, CURRENT_TIMESTAMP FROM participants"))
    engine.dispose()
    db = Database(empty_url)  # migrates to the newest revision
    with db.transaction() as repo:
        p = repo.participant("old")
        assert p.assessment_round == 1 and repo.answers(p)["capacity_1"].rating == "agree"
        assert [r.number for r in repo.rounds(p)] == [1]
        repo.start_round(p)
        repo.save_rating(p, "capacity_1", "disagree", None)  # same factor, new round: no unique clash
    with db.transaction() as repo:
        p = repo.participant("old")
        assert repo.answers(p)["capacity_1"].rating == "disagree" and repo.answers(p, 1)["capacity_1"].rating == "agree"
    db.dispose()


def test_servers_refuse_a_schema_they_do_not_know_instead_of_migrating(empty_url):
    from alembic import command

    from bot.storage.db import SchemaError, alembic_config

    with pytest.raises(SchemaError, match="no Common Ground schema.*python -m bot migrate"):
        Database.for_server(empty_url)
    Database(empty_url).dispose()                      # the migration step
    Database.for_server(empty_url).dispose()           # now current: accepted
    config = alembic_config(empty_url)
    command.downgrade(config, "-1")                     # a schema this code does not expect
    with pytest.raises(SchemaError, match=r"schema revision \d+; this code needs revision \d+"):
        Database.for_server(empty_url)
