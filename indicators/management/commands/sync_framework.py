"""Load or update the indicator frameworks from `indicators/data/`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators import loader


class Command(BaseCommand):
    help = (
        "Load or update the MGI frameworks from their CSV files (upsert by code). "
        "Indicators no longer in a file are retired, never deleted. A malformed file "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=loader.DATA_DIR,
            help="Folder holding frameworks.csv and the other files (default: the shipped data).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, then roll back."
        )

    def handle(self, *args, data_dir: Path, dry_run: bool, **options):
        try:
            report = loader.sync(data_dir, dry_run=dry_run)
        except loader.FrameworkFileError as exc:
            raise CommandError(
                "The framework files were rejected; nothing was changed:\n  "
                + "\n  ".join(exc.errors)
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.WARNING("Dry run: nothing was saved.")
            if dry_run
            else self.style.SUCCESS("Frameworks are up to date.")
        )
