"""Load the 16 voivodeships from the TERYT reference file shipped with the app."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "voivodeships.csv"


def load(apps, schema_editor):
    Voivodeship = apps.get_model("libraries", "Voivodeship")
    with CSV_PATH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Voivodeship.objects.update_or_create(
                code=row["teryt"], defaults={"name": row["name"], "capital": row["capital"]}
            )


def unload(apps, schema_editor):
    apps.get_model("libraries", "Voivodeship").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("libraries", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
