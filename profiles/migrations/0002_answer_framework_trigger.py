"""Refuse, in the database, an answer to an indicator of another framework.

Django cannot express a constraint across two tables, so this is a trigger on
INSERT and UPDATE of answers, written for PostgreSQL and SQLite.
"""

from django.db import migrations

MESSAGE = "answer_indicator_in_assessment_framework"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION profiles_answer_framework_check() RETURNS trigger AS $$
BEGIN
    IF (SELECT framework_id FROM indicators_indicator WHERE id = NEW.indicator_id)
       IS DISTINCT FROM
       (SELECT framework_id FROM profiles_assessment WHERE id = NEW.assessment_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER profiles_answer_framework_check
    BEFORE INSERT OR UPDATE OF indicator_id, assessment_id ON profiles_answer
    FOR EACH ROW EXECUTE FUNCTION profiles_answer_framework_check();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS profiles_answer_framework_check ON profiles_answer;
DROP FUNCTION IF EXISTS profiles_answer_framework_check();
"""
SQLITE_CHECK = f"""
    WHEN (SELECT framework_id FROM indicators_indicator WHERE id = NEW.indicator_id)
         IS NOT (SELECT framework_id FROM profiles_assessment WHERE id = NEW.assessment_id)
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_UP = [
    "CREATE TRIGGER profiles_answer_framework_insert BEFORE INSERT ON profiles_answer"
    + SQLITE_CHECK,
    "CREATE TRIGGER profiles_answer_framework_update "
    "BEFORE UPDATE OF indicator_id, assessment_id ON profiles_answer" + SQLITE_CHECK,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS profiles_answer_framework_insert",
    "DROP TRIGGER IF EXISTS profiles_answer_framework_update",
]


def create_trigger(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial_profiles_schema")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
