"""`manage.py send_digest [--today YYYY-MM-DD]`: the experts' weekly digest (cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partnerships.notifications import digest_send


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


class Command(BaseCommand):
    help = (
        "E-mail each CAL expert the weekly digest of their animators' partnerships: late and "
        "quiet ones, and what changed in the last 7 days. At most once per ISO week."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_date, default=None, help="Act as on this date, YYYY-MM-DD."
        )

    def handle(self, *args, today, **options):
        today = today or timezone.localdate()
        counts = digest_send(today=today)
        self.stdout.write(
            f"Digest for the week {today:%G-W%V}: e-mails sent: {counts['sent']}, "
            f"experts with no partnership: {counts['empty']}, failed: {counts['failed']}."
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} e-mails failed (see the log); run again.")
