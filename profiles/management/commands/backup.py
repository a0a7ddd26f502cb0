"""Back up the database and every stored file, so a restore needs nothing else.

    manage.py backup --output /var/backups/mgi/mgi.dump
    manage.py backup --output-dir /var/backups/mgi --keep 14     # dated name, prune old ones

The database: `pg_dump` custom format on PostgreSQL, a consistent copy on SQLite.
The stored files (publication pages, data files and PDFs, the open dataset,
archived sources), from the local folder or the S3 bucket alike: `<file>.files.tar`
beside it, with a manifest of SHA-256 hashes (`profiles/management/stored_files.py`).
The files are archived after the dump, so every file row in the dump has its file.

`manage.py restore FILE --yes` reads both back. The command prints how many
files and publications the backup holds and digests of their hashes, which
`restore` prints too, so the two can be compared.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from profiles.management import stored_files
from profiles.models import Publication

SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}


def vendor(alias: str = "default") -> str:
    connection = connections[alias]
    if connection.vendor not in SUFFIX:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def pg_environment(alias: str = "default") -> tuple[dict[str, str], list[str]]:
    """Environment and connection arguments for pg_dump/pg_restore from Django's settings."""
    db = connections[alias].settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def publications_digest(alias: str = "default") -> tuple[int, str]:
    """How many publications there are, and a SHA-256 over their ids and content hashes."""
    rows = Publication.objects.using(alias).order_by("pk").values_list("pk", "content_hash")
    digest = hashlib.sha256()
    count = 0
    for pk, content_hash in rows:
        digest.update(f"{pk}:{content_hash}\n".encode())
        count += 1
    return count, digest.hexdigest()


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or an SQLite copy) to a file, and every"
        " stored file to <file>.files.tar beside it."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--output", type=Path, help="File to write.")
        target.add_argument(
            "--output-dir", type=Path, help="Folder; the file is named mgi-<UTC time>."
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="With --output-dir: keep only the newest N backups there (0 keeps all).",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, output, output_dir, keep, database, **options):
        kind = vendor(database)
        if output is None:
            output_dir.mkdir(parents=True, exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%fZ")
            output = output_dir / f"mgi-{stamp}{SUFFIX[kind]}"
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        if kind == "postgresql":
            self._pg_dump(database, partial)
        else:
            self._sqlite_copy(database, partial)
        files = stored_files.archive_path(output)
        files_partial = files.with_name(files.name + ".partial")
        try:
            manifest = stored_files.write(default_storage, files_partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            files_partial.unlink(missing_ok=True)
            raise
        # Written under temporary names and renamed (files first), so a crash never leaves
        # a truncated file that looks like a backup, nor a dump without its files.
        files_partial.replace(files)
        partial.replace(output)
        count, digest = publications_digest(database)
        if output_dir is not None and keep > 0:
            for old in sorted(output_dir.glob(f"mgi-*{SUFFIX[kind]}"))[:-keep]:
                old.unlink()
                stored_files.archive_path(old).unlink(missing_ok=True)
        self.stdout.write(f"Backup written: {output} ({output.stat().st_size} bytes)")
        self.stdout.write(f"Stored files written: {files} ({files.stat().st_size} bytes)")
        self.stdout.write(f"files={len(manifest)} digest={stored_files.digest(manifest)}")
        self.stdout.write(f"publications={count} digest={digest}")

    def _pg_dump(self, alias: str, path: Path) -> None:
        env, args = pg_environment(alias)
        name = connections[alias].settings_dict["NAME"]
        command = [
            require_tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(path),
            str(name),
        ]
        # An argument list (no shell) of settings values and a path the operator gave.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    def _sqlite_copy(self, alias: str, path: Path) -> None:
        """SQLite's online backup API: a consistent copy even while the site writes."""
        connection = connections[alias]
        connection.ensure_connection()
        path.unlink(missing_ok=True)
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
