"""A publication's data package (its tables as CSV with datapackage.json) is a stored file.

Publications made before it have none until `manage.py rerender --data` renders it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0005_publication_search_documents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publicationfile",
            name="kind",
            field=models.CharField(
                choices=[
                    ("html", "Web page"),
                    ("pdf", "PDF"),
                    ("csv", "CSV"),
                    ("json", "JSON"),
                    ("zip", "Data package (ZIP)"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
    ]
