"""Import an assessment's answers from an XLSX or CSV file, as the admin upload does.

With --user, `spreadsheets.plan` / `apply` ask `profiles.access.can_edit` (through
`workflow.assert_editable`) exactly as the admin upload does, so the command answers
"may this user import" the same way the admin does.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from profiles import workflow
from profiles.editing import spreadsheets
from profiles.models import Assessment


class Command(BaseCommand):
    help = (
        "Import answers for one assessment from a spreadsheet made from its download "
        "(columns: " + ", ".join(spreadsheets.COLUMNS) + "). Every row is checked first; "
        "any problem stops the import and nothing is changed. With --user, the import is "
        "permission-checked for that user exactly as in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("government", help="Government slug, e.g. chl or santiago-chl.")
        parser.add_argument("year", type=int, help="Assessment year, e.g. 2024.")
        parser.add_argument("file", type=Path, help="The .xlsx or .csv file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and list the changes; save nothing."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Import as this user (their role and government are checked). Without it, "
            "only the assessment's status is checked.",
        )

    def handle(self, *args, government: str, year: int, file: Path, dry_run: bool, **options):
        try:
            assessment = Assessment.objects.select_related("government").get(
                government__slug=government, year=year
            )
        except Assessment.DoesNotExist:
            raise CommandError(f"No assessment for government '{government}' in {year}.") from None
        user = None
        if options.get("user"):
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user '{options['user']}'.") from None
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        if file.stat().st_size > spreadsheets.MAX_BYTES:
            raise CommandError(
                f"{file} is {file.stat().st_size / 1024 / 1024:.1f} MB; the limit is "
                f"{spreadsheets.MAX_BYTES / 1024 / 1024:.0f} MB."
            )
        data = file.read_bytes()

        def progress(rows):
            return tqdm(
                rows,
                desc="Checking rows",
                unit="row",
                file=self.stderr._out,
                disable=options["verbosity"] == 0,
                leave=False,
            )

        try:
            if dry_run:
                plan = spreadsheets.plan(
                    assessment, data, filename=file.name, by=user, progress=progress
                )
                if plan.errors:
                    raise spreadsheets.SpreadsheetError(plan.errors)
            else:
                plan = spreadsheets.apply(
                    assessment, data, filename=file.name, by=user, progress=progress
                )
        except workflow.NotEditable as exc:
            raise CommandError(str(exc)) from None
        except spreadsheets.SpreadsheetError as exc:
            lines = [str(e) for e in exc.errors[: spreadsheets.MAX_REPORTED_ERRORS]]
            if len(exc.errors) > len(lines):
                lines.append(f"... and {len(exc.errors) - len(lines)} more problem(s).")
            raise CommandError(
                f"{file.name} was not imported; nothing changed:\n  " + "\n  ".join(lines)
            ) from None

        if options["verbosity"] >= 2:
            for change in plan.changes:
                self.stdout.write(
                    f"row {change.row} {change.indicator_code} {change.column}: "
                    f"{change.old!r} -> {change.new!r}"
                )
        summary = (
            f"{assessment}: {plan.rows} row(s) read, {plan.changed_rows} answer(s) "
            f"{'would change' if dry_run else 'changed'} ({len(plan.changes)} cell(s)), "
            f"{plan.unchanged_rows} unchanged."
        )
        if dry_run:
            self.stdout.write(summary + " Dry run: nothing was saved.")
        else:
            assessment.refresh_from_db(fields=["revision"])
            self.stdout.write(
                self.style.SUCCESS(f"{summary} Revision is now {assessment.revision}.")
                if plan.changes
                else summary
            )
