"""A meeting's date and a milestone's date lie inside the partnership's round.

A CHECK constraint cannot look at another table, so the rule is held by triggers (PostgreSQL
and SQLite). Note: on SQLite, a later migration that rebuilds one of these tables drops its
triggers; such a migration must run this one's SQL again (tests catch it:
tests/partnerships/test_constraints.py).
"""

from django.db import migrations

GUARDED = [("partnerships_meeting", "date"), ("partnerships_milestone", "reached_on")]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION prb_date_inside_round() RETURNS trigger AS $$
DECLARE
    round_start date;
    round_end date;
    day date;
BEGIN
    SELECT r.start, r."end" INTO round_start, round_end
      FROM partnerships_partnership p JOIN partnerships_round r ON r.id = p.round_id
     WHERE p.id = NEW.partnership_id;
    day := (to_jsonb(NEW) ->> TG_ARGV[0])::date;
    IF day < round_start OR day > round_end THEN
        RAISE EXCEPTION 'date % is outside the round (% to %)', day, round_start, round_end
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table, column in GUARDED:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_{column}_inside_round "
                f"BEFORE INSERT OR UPDATE OF {column}, partnership_id ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION prb_date_inside_round('{column}')"
            )
    elif vendor == "sqlite":
        for table, column in GUARDED:
            for event in ("INSERT", f"UPDATE OF {column}, partnership_id"):
                suffix = event.split()[0].lower()
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_{column}_inside_round_{suffix} "
                    f"BEFORE {event} ON {table} FOR EACH ROW WHEN EXISTS ("
                    f"SELECT 1 FROM partnerships_partnership p "
                    f"JOIN partnerships_round r ON r.id = p.round_id "
                    f"WHERE p.id = NEW.partnership_id "
                    f'AND (NEW.{column} < r.start OR NEW.{column} > r."end")) '
                    f"BEGIN SELECT RAISE(ABORT, '{column} is outside the round'); END"
                )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, column in GUARDED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_inside_round ON {table}")
        elif vendor == "sqlite":
            for suffix in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_inside_round_{suffix}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS prb_date_inside_round()")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
