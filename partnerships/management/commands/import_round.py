"""`manage.py import_round <file>`: restore a round written by `export_round`."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.backup import ArchiveError, round_import


class Command(BaseCommand):
    help = (
        "Restore a round archive written by export_round into a database that holds neither "
        "the round nor its libraries (after `migrate`), in one transaction: records with new "
        "ids and their relations, uploaded files checked against their SHA-256. Accounts that "
        "exist under the same username are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by export_round.")

    def handle(self, *args, file, **options):
        try:
            result = round_import(path=file)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        restored = ", ".join(f"{label}: {n}" for label, n in result.counts.items() if n)
        self.stdout.write(f"Restored — {restored}.")
        if result.accounts_kept:
            self.stdout.write(
                f"{result.accounts_kept} accounts were already here and were kept as they are."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Round {result.round.name!r} restored with {result.files} files (id "
                f"{result.round.pk})."
            )
        )
