"""Fresh planner statistics after a bulk load.

PostgreSQL plans queries from table statistics that autovacuum refreshes some time
after rows change. Right after a bulk load (sample data, a restore, the benchmark
seeders) those statistics still describe the empty tables, and the planner can pick
a plan that is 30x slower (`/profiles/?level=local` took 2.5 s instead of 80 ms at
10,000 governments until `ANALYZE` ran). Commands that fill tables call
`analyze()` on what they filled, so the first visitor meets the right plans.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def analyze(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh planner statistics for the tables of `models` (PostgreSQL and SQLite)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
