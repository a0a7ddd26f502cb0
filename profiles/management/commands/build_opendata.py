"""`manage.py build_opendata`: rebuild the open dataset served at /data/, every part of it.

Publishing only adds or drops one publication's part; this rebuilds all of them
(after a change to the exported columns, or to a government's name) and then
assembles the downloads.
"""

from django.core.management.base import BaseCommand

from profiles.outputs import opendata


class Command(BaseCommand):
    help = (
        "Rebuild the open dataset (every publication's part, then the CSV ZIPs with "
        "datapackage.json and the XLSX) from live publications."
    )

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
