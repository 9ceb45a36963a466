"""The four roles as groups with the model permissions each needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("view", "add", "change", "delete")
DOMAIN_APPS = ("libraries", "animators", "partnerships")

ROLES = {
    # Experts see everything, assign animators, edit partnership records; no rounds or accounts.
    "expert": {
        "libraries.voivodeship": ("view",),
        "libraries.library": ("view", "change"),
        "animators.animator": ("view", "add", "change"),
        "partnerships.round": ("view",),
        "partnerships.partnership": ("view", "add", "change"),
        "partnerships.assignment": ("view", "add", "change"),
        "partnerships.partner": ALL,
        "partnerships.meeting": ALL,
        "partnerships.milestone": ALL,
        "partnerships.agreement": ALL,
        "partnerships.jointaction": ALL,
        "auth.user": ("view",),
    },
    # Animators work on their own pages; these permissions state what they may record.
    "animator": {
        "libraries.library": ("view",),
        "partnerships.partnership": ("view",),
        "partnerships.partner": ("view", "add", "change"),
        "partnerships.meeting": ("view", "add", "change", "delete"),
        "partnerships.milestone": ("view", "add", "change"),
        "partnerships.agreement": ("view", "add", "change"),
        "partnerships.jointaction": ("view", "add", "change"),
    },
    "librarian": {
        "libraries.library": ("view",),
        "partnerships.partnership": ("view",),
        "partnerships.partner": ("view",),
        "partnerships.meeting": ("view",),
        "partnerships.milestone": ("view",),
        "partnerships.agreement": ("view",),
        "partnerships.jointaction": ("view",),
    },
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    coordinator, _ = Group.objects.get_or_create(name="coordinator")
    coordinator.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=(*DOMAIN_APPS, "auth", "account")
        )
    )
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for model, actions in grants.items():
            app_label, model_name = model.split(".")
            permissions += Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model_name}" for action in actions],
            )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["coordinator", *ROLES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_dates_inside_round"),
        ("libraries", "0002_voivodeships"),
        ("animators", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
