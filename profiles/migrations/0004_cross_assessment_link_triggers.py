"""Refuse, in the database, links that would carry one assessment's text into another's.

Each rule is checked when the linking row is written (INSERT, or UPDATE of the
linking columns), whatever path writes it; the models' `clean()` gives the same
rules as form errors, and the admin offers only choices that satisfy them:

- an assessment's previous round is an earlier round (lower year and round
  number) of the same government;
- a follow-up's progress record is on an "area with potential" finding of its
  assessment's previous round;
- an answer's sources are sources of the same assessment;
- a consultation comment's indicator belongs to the assessment's framework.

Written for PostgreSQL and SQLite, like migration 0002.
"""

from django.db import migrations

# name: (table, columns whose change re-checks the rule, condition that is a violation)
RULES = {
    "assessment_previous_same_government_earlier_round": (
        "profiles_assessment",
        ["previous_id", "government_id", "year", "round_number"],
        """NEW.previous_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM profiles_assessment p
            WHERE p.id = NEW.previous_id AND p.government_id = NEW.government_id
              AND p.year < NEW.year AND p.round_number < NEW.round_number)""",
    ),
    "followup_finding_of_previous_round": (
        "profiles_followup",
        ["finding_id", "assessment_id"],
        """NOT EXISTS (
            SELECT 1 FROM profiles_finding f
            JOIN profiles_assessment a ON a.previous_id = f.assessment_id
            WHERE f.id = NEW.finding_id AND a.id = NEW.assessment_id AND f.kind = 'potential')""",
    ),
    "answer_source_of_same_assessment": (
        "profiles_answer_sources",
        ["answer_id", "source_id"],
        """NOT EXISTS (
            SELECT 1 FROM profiles_answer an
            JOIN profiles_source s ON s.assessment_id = an.assessment_id
            WHERE an.id = NEW.answer_id AND s.id = NEW.source_id)""",
    ),
    "comment_indicator_in_assessment_framework": (
        "profiles_consultationcomment",
        ["indicator_id", "assessment_id"],
        """NEW.indicator_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM indicators_indicator i
            JOIN profiles_assessment a ON a.framework_id = i.framework_id
            WHERE i.id = NEW.indicator_id AND a.id = NEW.assessment_id)""",
    ),
}


def postgres_up(name, table, columns, violation):
    return [
        f"""
        CREATE OR REPLACE FUNCTION profiles_{name}() RETURNS trigger AS $$
        BEGIN
            IF {violation} THEN
                RAISE EXCEPTION '{name}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER profiles_{name}
            BEFORE INSERT OR UPDATE OF {", ".join(columns)} ON {table}
            FOR EACH ROW EXECUTE FUNCTION profiles_{name}();
        """,
    ]


def postgres_down(name, table, columns, violation):
    return [
        f"DROP TRIGGER IF EXISTS profiles_{name} ON {table}",
        f"DROP FUNCTION IF EXISTS profiles_{name}()",
    ]


def sqlite_up(name, table, columns, violation):
    body = f" WHEN {violation} BEGIN SELECT RAISE(ABORT, '{name}'); END;"
    return [
        f"CREATE TRIGGER profiles_{name}_insert BEFORE INSERT ON {table}{body}",
        f"CREATE TRIGGER profiles_{name}_update BEFORE UPDATE OF {', '.join(columns)} "
        f"ON {table}{body}",
    ]


def sqlite_down(name, table, columns, violation):
    return [
        f"DROP TRIGGER IF EXISTS profiles_{name}_insert",
        f"DROP TRIGGER IF EXISTS profiles_{name}_update",
    ]


STATEMENTS = {
    "postgresql": (postgres_up, postgres_down),
    "sqlite": (sqlite_up, sqlite_down),
}


def create_triggers(apps, schema_editor):
    up, _down = STATEMENTS[schema_editor.connection.vendor]
    for name, rule in RULES.items():
        for statement in up(name, *rule):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _up, down = STATEMENTS[schema_editor.connection.vendor]
    for name, rule in RULES.items():
        for statement in down(name, *rule):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0003_statuschange_by_empty_means_system")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
