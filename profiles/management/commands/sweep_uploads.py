"""`manage.py sweep_uploads`: delete spreadsheet uploads left in preview."""

import datetime

from django.core.management.base import BaseCommand

from profiles.editing.uploads import UPLOAD_MAX_AGE, sweep_uploads


class Command(BaseCommand):
    help = (
        "Delete spreadsheet uploads kept for a preview that nobody confirmed "
        "(they hold draft answers). Run it daily; each upload also sweeps."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=UPLOAD_MAX_AGE.total_seconds() / 3600,
            help="delete uploads older than this many hours (default: %(default)s)",
        )

    def handle(self, *args, hours: float, **options) -> None:
        deleted = sweep_uploads(datetime.timedelta(hours=hours))
        self.stdout.write(f"Deleted {deleted} spreadsheet upload(s) older than {hours:g} hours.")
