"""Restore a backup made by `manage.py backup`: the database and every stored file.

    manage.py restore /var/backups/mgi/mgi-20261127T023000.000000Z.dump --yes

The stored-files archive beside it (`<file>.files.tar`) is checked against its
manifest first, so a damaged archive changes nothing. Then the database: on
PostgreSQL `pg_restore --clean --if-exists --single-transaction`, so it applies
completely or not at all; on SQLite the backup API copies the file over the
database. Then every file goes back into the configured storage (a local folder
or an S3 bucket, empty or not) under its own name.

Afterwards every publication's frozen content is hashed again and must equal its
stored content hash (the one the government signed off), and every publication
file must be in the storage with the SHA-256 its row records; the command fails
if one does not. `--database-only` restores an older backup that has no files
archive (re-render the files with `manage.py rerender`). Stop the application
servers and the worker first.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from profiles import content as profile_content
from profiles.management import stored_files
from profiles.management.commands.backup import (
    pg_environment,
    publications_digest,
    require_tool,
    vendor,
)
from profiles.management.statistics import analyze
from profiles.models import Publication, PublicationFile


class Command(BaseCommand):
    help = (
        "Replace the database's contents and the stored files with a backup made by"
        " `manage.py backup`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do it: every current row is replaced."
        )
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--database-only",
            action="store_true",
            help="Restore a backup without a stored-files archive (older backups).",
        )

    def handle(self, *args, file: Path, yes: bool, database: str, database_only: bool, **options):
        if not file.is_file():
            raise CommandError(f"No backup file at {file}.")
        if not yes:
            raise CommandError("Restoring replaces the whole database; add --yes to go ahead.")
        archive = stored_files.archive_path(file)
        manifest = None
        if not database_only:
            if not archive.is_file():
                raise CommandError(
                    f"No stored-files archive at {archive}; add --database-only to restore"
                    " the database alone."
                )
            try:
                manifest = stored_files.verify(archive)
            except stored_files.ArchiveError as error:
                raise CommandError(f"Nothing restored: {error}") from error
        kind = vendor(database)
        if kind == "postgresql":
            self._pg_restore(database, file)
        else:
            self._sqlite_restore(database, file)
        analyze(*apps.get_models(), using=database)  # every table was just refilled
        count, digest = publications_digest(database)
        broken = [
            str(publication)
            for publication in Publication.objects.using(database).only(
                "pk", "content", "content_hash", "government", "year", "version"
            )
            if profile_content.digest(publication.content) != publication.content_hash
        ]
        if broken:
            raise CommandError(f"Restored publications whose content hash differs: {broken}")
        self.stdout.write(f"Restored {file}")
        if manifest is not None:
            self._restore_files(archive, manifest, database)
        self.stdout.write(f"publications={count} digest={digest}")

    def _restore_files(self, archive: Path, manifest: dict[str, dict], database: str) -> None:
        """Every stored file back, then each publication file row checked against it."""
        try:
            stored_files.restore(default_storage, archive, manifest)
        except stored_files.ArchiveError as error:
            raise CommandError(f"Stored files not restored: {error}") from error
        rows = PublicationFile.objects.using(database).values_list("file", "sha256")
        wrong = [name for name, sha256 in rows if manifest.get(name, {}).get("sha256") != sha256]
        if wrong:
            raise CommandError(f"Publication files missing or different in the backup: {wrong}")
        self.stdout.write(f"Restored {len(manifest)} stored files from {archive}")
        self.stdout.write(f"files={len(manifest)} digest={stored_files.digest(manifest)}")

    def _pg_restore(self, alias: str, path: Path) -> None:
        connections[alias].close()
        env, args = pg_environment(alias)
        name = connections[alias].settings_dict["NAME"]
        command = [
            require_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(name),
            str(path),
        ]
        # An argument list (no shell) of settings values and a path the operator gave.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (nothing changed): {result.stderr.strip()}")

    def _sqlite_restore(self, alias: str, path: Path) -> None:
        connection = connections[alias]
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA schema_version").fetchone()  # fails early if not SQLite
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{path} is not an SQLite backup: {error}") from error
        finally:
            source.close()
