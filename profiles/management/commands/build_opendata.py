"""`manage.py build_opendata`: rebuild the open dataset files served at /data/."""

from django.core.management.base import BaseCommand

from profiles.outputs import opendata


class Command(BaseCommand):
    help = "Rebuild the open dataset (CSV ZIP, XLSX, codebook) from live publications."

    def handle(self, *args, **options) -> None:
        manifest = opendata.rebuild_serialised()
        if manifest is None:
            self.stdout.write("Another rebuild is running; it will include the latest changes.")
            return
        counts = manifest["counts"]
        self.stdout.write(
            f"Open data rebuilt: {counts['governments']} governments, "
            f"{counts['publications']} latest publications, {counts['answers']} answers "
            f"({counts['all_versions_publications']} publications in all versions)."
        )
        for entry in manifest["files"].values():
            self.stdout.write(f"  {entry['name']}: {entry['size']} bytes, sha256 {entry['sha256']}")
