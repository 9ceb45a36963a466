"""Writes that touch several rows; each runs in one transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from animators.services import librarian_accounts_create_imported
from libraries.models import LibraryKind
from partnerships.models import Partnership

User = get_user_model()


# Inside an import's transaction without a savepoint: a failed row rolls back the whole import.
@transaction.atomic(savepoint=False)
def library_save_imported(
    *, library, librarian_emails=None, round_, by, accounts=None, partnered=None
):
    """Save a library read from a spreadsheet (see libraries/resources.py).

    When `librarian_emails` is given, the library's librarians become exactly those accounts:
    an unknown e-mail gets a librarian's account without a password and without an invitation
    (invitations are sent from the people page afterwards). A lead library gets its partnership
    in `round_` when it has none. Returns (the accounts created, the partnership created or
    None).

    An import passes what it read once for the whole file, so that a row makes only its own
    writes: `accounts` ({lower-case e-mail: account}, the accounts created are added to it)
    and `partnered` (the pks of the libraries with a partnership in `round_`); the library's
    librarians are then those prefetched with it. Without them, they are read here."""
    adding = library._state.adding
    library.save()
    created = []
    if librarian_emails is not None:
        if accounts is None:
            accounts = {
                user.lower_email: user
                for user in User.objects.annotate(lower_email=Lower("email")).filter(
                    lower_email__in=librarian_emails
                )
            }
        if missing := [email for email in librarian_emails if email not in accounts]:
            created = librarian_accounts_create_imported(emails=missing, by=by)
            accounts.update((user.email, user) for user in created)
        librarians = [accounts[email] for email in librarian_emails]
        current = set() if adding else set(library.librarians.all())
        if to_remove := current - set(librarians):
            library.librarians.remove(*to_remove)
        if to_add := [user for user in librarians if user not in current]:
            library.librarians.add(*to_add)
    partnership = None
    if library.kind == LibraryKind.LEAD and round_ is not None:
        if partnered is None:
            partnership, is_new = Partnership.objects.get_or_create(library=library, round=round_)
        elif library.pk not in partnered:
            partnership, is_new = Partnership.objects.create(library=library, round=round_), True
            partnered.add(library.pk)
        if partnership is not None and not is_new:
            partnership = None
    return created, partnership
