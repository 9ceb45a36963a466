"""Stages are reached only in order (partnerships/progress.py): check the milestones already
recorded and report any partnership whose milestones break the rule, so the coordinator can
correct them (nothing is changed here)."""

from django.db import migrations

# The stage order as it stood when this migration was written.
STAGES = [
    "diagnosis",
    "invitations",
    "first_meeting",
    "planning",
    "agreement",
    "joint_action",
    "evaluation",
]


def report_out_of_order(apps, schema_editor):
    Milestone = apps.get_model("partnerships", "Milestone")
    by_partnership = {}
    for partnership_id, stage, day in Milestone.objects.order_by("partnership_id").values_list(
        "partnership_id", "stage", "reached_on"
    ):
        by_partnership.setdefault(partnership_id, {})[stage] = day
    problems = []
    for partnership_id, reached in by_partnership.items():
        previous = None
        for index, stage in enumerate(STAGES):
            day = reached.get(stage)
            later = [s for s in STAGES[index + 1 :] if s in reached]
            if day is None:
                if later:
                    problems.append(f"partnership {partnership_id}: {later[0]} without {stage}")
                break
            if previous is not None and day < previous:
                problems.append(f"partnership {partnership_id}: {stage} dated before the stage before")
                break
            previous = day
    if problems:
        print(
            "\n  Milestones out of order (correct them in the admin or on the card):\n    "
            + "\n    ".join(problems)
        )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0005_notificationpreference_sentdigest_sentreminder")]

    operations = [migrations.RunPython(report_out_of_order, migrations.RunPython.noop)]
