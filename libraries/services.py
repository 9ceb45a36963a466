"""Writes that touch several rows; each runs in one transaction."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from animators.services import librarian_accounts_create_imported
from libraries.models import Library, LibraryKind
from partnerships.models import Partnership
from prb_partnerships import freshness

User = get_user_model()

# The change reason on the history rows of the libraries (and partnerships) an import creates.
IMPORTED = "import"


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


# Inside an import's transaction, as library_save_imported.
@transaction.atomic(savepoint=False)
def libraries_create_imported(*, libraries, round_, by, accounts):
    """Save the new libraries read from a spreadsheet all at once, with the change history that
    saving them one by one would write: `libraries` are (unsaved library, its librarians'
    e-mails or None) pairs, checked as library_save_imported expects.

    In a number of queries that does not grow with the libraries: the missing librarians'
    accounts (librarian_accounts_create_imported), the libraries, one history row each
    (history_type "+", by `by`, reason IMPORTED) with their librarians in it, the librarians,
    and the partnerships of the lead libraries in `round_` with their history rows.
    `accounts` is {lower-case e-mail: account}; the accounts created are added to it.
    Returns (the accounts created, the partnerships created)."""
    wanted = {email: None for _library, emails in libraries for email in emails or ()}
    created = []
    if missing := [email for email in wanted if email not in accounts]:
        created = librarian_accounts_create_imported(emails=missing, by=by)
        accounts.update((user.email, user) for user in created)
    new = [library for library, _emails in libraries]
    # The records and their history rows together, as saving them would (bulk_create_with_
    # history cannot be used: the history rows it writes are needed for their librarians).
    Library.objects.bulk_create(new)
    history = Library.history.bulk_history_create(
        new, default_user=by, default_change_reason=IMPORTED
    )
    Through = Library.librarians.through
    links = [
        Through(library=library, user=accounts[email])
        for library, emails in libraries
        for email in emails or ()
    ]
    if links:
        Library.librarians.through.objects.bulk_create(links)
        if history:  # the history is on: each history row lists the library's librarians
            history_of = {row.id: row for row in history}
            HistoricalLibrarians = apps.get_model("libraries", "HistoricalLibrary_librarians")
            HistoricalLibrarians.objects.bulk_create(
                HistoricalLibrarians(
                    history=history_of[link.library_id],
                    id=link.pk,
                    library_id=link.library_id,
                    user_id=link.user_id,
                )
                for link in links
            )
    freshness.bump()  # bulk_create sends no signals
    leads = [library for library in new if library.kind == LibraryKind.LEAD]
    partnerships = []
    if round_ is not None and leads:
        partnerships = bulk_create_with_history(
            [Partnership(library=library, round=round_) for library in leads],
            Partnership,
            default_user=by,
            default_change_reason=IMPORTED,
        )
    return created, partnerships
