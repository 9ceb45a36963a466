"""`manage.py remove_pending_uploads`: remove the files chosen in forms that were sent back with
errors and never saved, a day after they were chosen (daily, by cron)."""

from django.core.management.base import BaseCommand

from partnerships.uploads import pending_cleanup


class Command(BaseCommand):
    help = (
        "Remove the photos and scans kept from forms that were refused and not sent again "
        "within a day (uploads.py, 'Pending uploads')."
    )

    def handle(self, *args, **options):
        removed = pending_cleanup()
        self.stdout.write(f"Pending uploads removed: {removed}.")
