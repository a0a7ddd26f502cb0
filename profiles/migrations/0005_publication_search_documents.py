"""Search documents per publication and language (`profiles.search`).

On PostgreSQL this also installs `unaccent`, creates the text search
configurations the documents and queries use (each language's stemmer behind
`unaccent`, so accents never matter) and a GIN index on `vector` per language; SQLite
searches the stored text instead. Existing publications get their documents here.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from profiles import search

STEMMERS = {
    "mgi_english": "english_stem",
    "mgi_french": "french_stem",
    "mgi_spanish": "spanish_stem",
    "mgi_simple": "simple",
}

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *(
        statement
        for name, dictionary in STEMMERS.items()
        for statement in (
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}",
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = simple)",
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR "
            f"asciiword, asciihword, hword_asciipart, word, hword, hword_part "
            f"WITH unaccent, {dictionary}",
        )
    ),
    # No statistics on `vector`: with them, a word found in most documents makes the planner
    # read every row's vector (tens of kB each, 0.8 s at 30,000 documents) rather than the
    # GIN index (75 ms), since it does not count the cost of reading them; without them it
    # assumes a selective query and always takes the index.
    "ALTER TABLE profiles_publicationsearch ALTER COLUMN vector SET STATISTICS 0",
    # One GIN index per language: a search ORs one condition per language, each with its
    # own tsquery, and each condition then scans only its own language's index.
    *(
        f"CREATE INDEX profiles_publicationsearch_vector_{language} "
        f"ON profiles_publicationsearch USING gin (vector) WHERE language = '{language}'"
        for language in search.CONFIGS
    ),
]
POSTGRES_DOWN = [
    "ALTER TABLE profiles_publicationsearch ALTER COLUMN vector SET STATISTICS -1",
    *(
        f"DROP INDEX IF EXISTS profiles_publicationsearch_vector_{language}"
        for language in search.CONFIGS
    ),
    *(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}" for name in STEMMERS),
]


def postgres_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_UP:
            schema_editor.execute(statement)


def postgres_down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DOWN:
            schema_editor.execute(statement)


def index_existing(apps, schema_editor):
    """Build the documents of every publication that exists (live or not: it may go live)."""
    Publication = apps.get_model("profiles", "Publication")
    PublicationSearch = apps.get_model("profiles", "PublicationSearch")
    rows = []
    for publication in Publication.objects.only("pk", "content", "languages").iterator():
        for doc in search.documents(publication.content, publication.languages):
            rows.append(
                PublicationSearch(
                    publication_id=publication.pk,
                    language=doc.language,
                    document=doc.text,
                    sections=[list(section) for section in doc.sections],
                )
            )
    PublicationSearch.objects.bulk_create(rows, batch_size=500)
    if schema_editor.connection.vendor == "postgresql":
        for language in {row.language for row in rows}:
            schema_editor.execute(
                "UPDATE profiles_publicationsearch "
                "SET vector = to_tsvector(%s::regconfig, document) WHERE language = %s",
                [search.config_for(language), language],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_cross_assessment_link_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=8, verbose_name="language")),
                ("document", models.TextField(verbose_name="document")),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, null=True, verbose_name="search vector"
                    ),
                ),
                (
                    "sections",
                    models.JSONField(
                        default=list,
                        help_text="[start offset, page anchor] pairs, in document order.",
                        verbose_name="sections",
                    ),
                ),
                (
                    "publication",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_documents",
                        to="profiles.publication",
                        verbose_name="publication",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication search document",
                "verbose_name_plural": "publication search documents",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("publication", "language"), name="one_search_document_per_language"
                    )
                ],
            },
        ),
        migrations.RunPython(postgres_up, postgres_down),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
