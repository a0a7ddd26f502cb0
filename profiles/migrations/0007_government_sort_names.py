"""Governments get a sort name per UI language, filled for existing rows, and an index on each.

The public lists order by the reader's column (`Government.sort_name_field()`)
instead of spelling every country's translated name out in SQL, so their first
page is an index walk.
"""

from django.db import migrations, models

from profiles.models.governments import sort_names

LANGUAGES = {"en": "English", "fr": "French", "es": "Spanish", "ar": "Arabic"}


def fill_sort_names(apps, schema_editor):
    Government = apps.get_model("profiles", "Government")
    rows = list(Government.objects.only("pk", "country", "name"))
    for government in rows:
        names = sort_names(country=str(government.country), name=government.name)
        for field, value in names.items():
            setattr(government, field, value)
    Government.objects.bulk_update(
        rows, [f"sort_name_{code}" for code in LANGUAGES], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0006_filekind_data_package_zip"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="government",
                name=f"sort_name_{code}",
                field=models.CharField(
                    default="",
                    editable=False,
                    max_length=150,
                    verbose_name=f"sort name ({language})",
                ),
                preserve_default=False,
            )
            for code, language in LANGUAGES.items()
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
        *(
            migrations.AddIndex(
                model_name="government",
                index=models.Index(
                    fields=[f"sort_name_{code}", "slug"], name=f"government_sort_name_{code}_idx"
                ),
            )
            for code in LANGUAGES
        ),
    ]
