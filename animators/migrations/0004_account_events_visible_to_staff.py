"""The coordinator and the experts see the record of account events in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_view(apps, schema_editor):
    app_config = apps.get_app_config("animators")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="animators", codename="view_accountevent"
    )
    for group in Group.objects.filter(name__in=["coordinator", "expert"]):
        group.permissions.add(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("animators", "0003_history"),
        ("partnerships", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant_view, migrations.RunPython.noop)]
