"""`manage.py end_temporary_assignments [--today YYYY-MM-DD]`: end the temporary replacements
due today (cron, daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partnerships.services import assignments_end_temporary


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


class Command(BaseCommand):
    help = (
        "End the temporary replacements whose end date has come: the animator replaced "
        "supports the library again (or, when they are no longer active, the library waits on "
        "the assignment board and the CAL experts are told); both animators get an e-mail. "
        "Safe to run again: an ended replacement is not ended twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_date, default=None, help="Act as on this date, YYYY-MM-DD."
        )

    def handle(self, *args, today, **options):
        today = today or timezone.localdate()
        counts = assignments_end_temporary(today=today)
        self.stdout.write(
            f"Temporary replacements ended on {today}: {counts['ended']} "
            f"(animator back: {counts['restored']}, waiting on the board: {counts['waiting']}); "
            f"e-mails sent: {counts['sent']}, failed: {counts['failed']}."
        )
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} e-mails failed (see the log); the changes are saved."
            )
