"""Writes that touch several rows; each runs in one transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from animators.services import person_create
from libraries.models import LibraryKind
from partnerships.models import Partnership
from prb_partnerships.roles import Role

User = get_user_model()


@transaction.atomic
def library_save_imported(*, library, librarian_emails=None, round_, by):
    """Save a library read from a spreadsheet (see libraries/resources.py).

    When `librarian_emails` is given, the library's librarians become exactly those accounts:
    an unknown e-mail gets a librarian's account without a password and without an invitation
    (invitations are sent from the people page afterwards). A lead library gets its partnership
    in `round_` when it has none. Returns (the accounts created, the partnership created or
    None)."""
    library.save()
    accounts = []
    if librarian_emails is not None:
        existing = {
            user.email.lower(): user
            for user in User.objects.annotate(lower_email=Lower("email")).filter(
                lower_email__in=librarian_emails
            )
        }
        librarians = []
        for email in librarian_emails:
            user = existing.get(email)
            if user is None:
                user = person_create(
                    email=email,
                    first_name="",
                    last_name="",
                    role=Role.LIBRARIAN,
                    by=by,
                    library=library,
                    invite=False,
                )
                accounts.append(user)
            librarians.append(user)
        library.librarians.set(librarians)
    partnership = None
    if library.kind == LibraryKind.LEAD and round_ is not None:
        partnership, created = Partnership.objects.get_or_create(library=library, round=round_)
        if not created:
            partnership = None
    return accounts, partnership
