"""`manage.py send_reminders [--today YYYY-MM-DD]`: the animators' daily reminders (cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partnerships.notifications import DEADLINE_DAYS, reminders_send
from partnerships.progress import QUIET_DAYS


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


class Command(BaseCommand):
    help = (
        "E-mail each animator, once per matter, about their partnerships with no meeting for "
        f"{QUIET_DAYS} days, a stage deadline within {DEADLINE_DAYS} days, or a planned meeting "
        "that passed with nothing logged. Safe to run again: what was sent is recorded and not "
        "sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_date, default=None, help="Act as on this date, YYYY-MM-DD."
        )

    def handle(self, *args, today, **options):
        today = today or timezone.localdate()
        counts = reminders_send(today=today)
        self.stdout.write(
            f"Reminders for {today}: e-mails sent: {counts['sent']} "
            f"(items: {counts['items']}), failed: {counts['failed']}."
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} e-mails failed (see the log); run again.")
