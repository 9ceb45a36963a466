"""`manage.py seed_demo [--scale N] [--password P]`: load the demo data (idempotent)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from libraries.models import Library
from partnerships.demo import DEFAULT_PASSWORD, DemoDataError, seed_demo
from partnerships.models import Status


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


class Command(BaseCommand):
    help = (
        "Create the demo data: 128 lead libraries and their librarians, 32 animators, 4 experts, "
        "a coordinator and a round of partnership activity (times --scale). Idempotent: what "
        "exists is kept; the demo users' password is set to --password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="N times as much of everything (default 1)."
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo user (default {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing when the database already holds libraries (`make run` uses it).",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Simulate the round as of this date, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args, scale, password, today, once, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if once and Library.objects.exists():
            self.stdout.write("The database already holds libraries: demo data not loaded again.")
            return
        started = time.monotonic()
        try:
            result = seed_demo(scale=scale, password=password, today=today)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        round_ = result.round
        self.stdout.write(
            f"Demo round {round_.name!r} ({round_.start} – {round_.end}), as of {result.today}."
        )
        created = [f"{name}: {count}" for name, count in result.created.items() if count]
        if created:
            self.stdout.write(f"Created — {', '.join(created)}.")
        else:
            self.stdout.write("Nothing to create: the demo data are in place.")
        if result.passwords_set:
            self.stdout.write(f"Password set for {result.passwords_set} demo users.")
        mix = ", ".join(
            f"{result.status_counts[status]} {status}" for status in Status.values
        )
        self.stdout.write(f"Partnerships on {result.today}: {mix}.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )
