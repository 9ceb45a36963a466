"""The data version: what lets the busiest pages be kept ready without ever showing a stale figure.

One value in the shared cache (`default`: the database table, or Redis) names the state of the
data. Every committed write of a record the pages show — a partnership, its meetings, stages,
partners, agreement, joint actions, assignments, a library, an animator, a person, their groups —
replaces it (`bump`, after the commit, once per transaction), through the model signals, so
the services, the admin and the imports all change it without thinking of it. Writes that send
no signals (`bulk_create`, `QuerySet.update`, restoring a backup, the demo data) call `bump`
themselves.

The pages that cost most (the dashboard, the list, the assignment board, the card, the animator's
home) keep their rendered body in the `fragments` cache under a key made of this version, the day
(late and quiet change with the date), the language, the person and the address asked for
(`{% cache … using="fragments" %}`). A fragment under a given version never changes, so that
cache may be each server process's own memory; only the version must be shared.
"""

import uuid

from django.apps import apps
from django.core.cache import cache, caches
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

KEY = "prb:data-version"
# How long a rendered fragment is kept (it is never wrong, only unused once the version moves on).
FRAGMENT_SECONDS = 24 * 60 * 60
# The apps whose records the pages show, and the models of other apps they show.
APPS = ("libraries", "animators", "partnerships")
OTHER_MODELS = ("auth.User", "auth.Group")
# Records that change nothing a cached page shows.
IGNORED = frozenset(
    {
        "partnerships.PendingUpload",
        "partnerships.SentReminder",
        "partnerships.SentDigest",
        "partnerships.CalendarFeed",
    }
)


def data_version() -> str:
    """The current version (one read of the shared cache); made on the first read."""
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, uuid.uuid4().hex, None)
        version = cache.get(KEY)
    return version


def _replace():
    cache.set(KEY, uuid.uuid4().hex, None)


def bump() -> None:
    """A new version once the current transaction commits (at once outside one), once per
    block of the transaction however many records it writes; nothing if it rolls back. (Not
    before the commit: another process could then keep the old data under the new version.)"""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # One registered in this block or an enclosing one runs whenever this write commits.
        block = set(connection.savepoint_ids)
        if any(sids <= block and func is _replace for sids, func, _ in connection.run_on_commit):
            return
    transaction.on_commit(_replace, robust=True)


def _changed(sender, **kwargs):
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a page shows
    bump()


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def watched_models():
    """Every model whose writes change the version (history rows are written with a record
    already watched)."""
    models = [model for label in APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label) for label in OTHER_MODELS]
    return [
        model
        for model in models
        if model._meta.label not in IGNORED and not model.__name__.startswith("Historical")
    ]


def connect() -> None:
    """Called once at start-up (`PartnershipsConfig.ready`)."""
    for model in watched_models():
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"freshness-save-{model._meta.label}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"freshness-delete-{model._meta.label}"
        )
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _m2m_changed, sender=through, dispatch_uid=f"freshness-m2m-{through._meta.label}"
            )


class Fragment:
    """The rendered body of a page for this request, if kept: `html` (None when not), and what
    the template's `{% cache fragment.seconds <name> fragment.vary using="fragments" %}`
    keeps it under — the data version, the day, the language, the person and the address
    (`parts` add to them). The view builds its data only when `ready` is false; the template
    prints `html` when it is set, else renders and keeps the body:

        {% if fragment.ready %}{{ fragment.html }}{% else %}{% cache … %}…{% endcache %}{% endif %}
    """

    def __init__(self, request, name: str, *parts, keep: bool = True):
        """`keep=False` for a body that must not be kept (one with a form and its CSRF token):
        never ready, and kept for 0 seconds, that is not at all."""
        self.name = name
        self.seconds = FRAGMENT_SECONDS if keep else 0
        self.vary = "|".join(
            str(part)
            for part in (
                data_version(),
                timezone.localdate().isoformat(),
                get_language(),
                request.user.pk,
                request.get_full_path(),
                *parts,
            )
        )
        self.html = (
            caches["fragments"].get(make_template_fragment_key(name, [self.vary])) if keep else None
        )

    @property
    def ready(self) -> bool:
        return self.html is not None
