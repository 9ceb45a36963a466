"""`manage.py export_round <round id> [--output FILE]`: one round and its files in one archive."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.backup import ArchiveError, default_output, round_export
from partnerships.models import Round


class Command(BaseCommand):
    help = (
        "Write one ZIP archive with every record of the round (partnerships, libraries, "
        "people's accounts with their password hashes, meetings, agreements …) and its uploaded "
        "files, with their SHA-256. It holds personal data: store it encrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, help="The round's id (see the admin).")
        parser.add_argument(
            "--output", help="The archive to create (default: round-<id>-<date>.zip here)."
        )

    def handle(self, *args, round_id, output, **options):
        round_ = Round.objects.filter(pk=round_id).first()
        if round_ is None:
            raise CommandError(f"There is no round with id {round_id}.")
        output = output or default_output(round_)
        try:
            manifest = round_export(round_=round_, output=output)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        records = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Round {round_.name!r}: {records} records and {len(manifest['files'])} files "
                f"written to {output}."
            )
        )
