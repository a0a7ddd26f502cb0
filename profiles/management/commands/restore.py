"""Restore a backup made by `manage.py backup`, replacing the database's contents.

    manage.py restore /var/backups/mgi/mgi-20261127T023000.000000Z.dump --yes

PostgreSQL: `pg_restore --clean --if-exists --single-transaction`, so the restore
applies completely or not at all. SQLite: the backup API copies the file over the
database. Afterwards every publication's frozen content is hashed again and must
equal its stored content hash (the one the government signed off); the command
fails if one does not. Stop the application servers and the worker first.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from profiles import content as profile_content
from profiles.management.commands.backup import (
    pg_environment,
    publications_digest,
    require_tool,
    vendor,
)
from profiles.management.statistics import analyze
from profiles.models import Publication


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do it: every current row is replaced."
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, file: Path, yes: bool, database: str, **options):
        if not file.is_file():
            raise CommandError(f"No backup file at {file}.")
        if not yes:
            raise CommandError("Restoring replaces the whole database; add --yes to go ahead.")
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
        self.stdout.write(f"publications={count} digest={digest}")

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
