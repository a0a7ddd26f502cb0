"""Answer tallies: counts per indicator, country, level and answer of the newest live profiles.

An indicator's page sums these rows instead of joining every government's newest
publication with the indicator's answers (`profiles.models.tallies`). The tables are
filled here for the publications that exist; `profiles.publishing.tallies` keeps them
up to date from then on.
"""

import django.db.models.deletion
import django_countries.fields
from django.db import migrations, models


def count_newest_live(apps, schema_editor):
    """What `profiles.publishing.tallies.rebuild` does, with this migration's models."""
    from django.db.models import Count, Exists, F, Min, OuterRef, Q
    from django.utils import timezone

    Government = apps.get_model("profiles", "Government")
    Publication = apps.get_model("profiles", "Publication")
    PublishedAnswer = apps.get_model("profiles", "PublishedAnswer")
    NewestPublication = apps.get_model("profiles", "NewestPublication")
    AnswerTally = apps.get_model("profiles", "AnswerTally")
    now = timezone.now()
    live = Publication.objects.filter(
        release_at__lte=now, ready_at__isnull=False, withdrawn_at__isnull=True
    )
    newer = live.filter(government=OuterRef("government")).filter(
        Q(year__gt=OuterRef("year")) | Q(year=OuterRef("year"), version__gt=OuterRef("version"))
    )
    newest = dict(live.filter(~Exists(newer)).values_list("government_id", "pk"))
    pending = dict(
        Publication.objects.filter(
            ready_at__isnull=False, withdrawn_at__isnull=True, release_at__gt=now
        )
        .values("government_id")
        .annotate(first=Min("release_at"))
        .values_list("government_id", "first")
    )
    NewestPublication.objects.bulk_create(
        NewestPublication(
            government_id=pk,
            publication_id=newest.get(pk),
            country=country,
            level=level,
            stale_at=pending.get(pk),
        )
        for pk, country, level in Government.objects.filter(
            pk__in=[*newest, *pending]
        ).values_list("pk", "country", "level")
    )
    counts = (
        PublishedAnswer.objects.filter(publication__in=list(newest.values()))
        .values(
            "indicator_id",
            "value",
            country=F("publication__government__country"),
            level=F("publication__government__level"),
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    AnswerTally.objects.bulk_create((AnswerTally(**row) for row in counts), batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0002_framework_translations'),
        ('profiles', '0013_latest_publication_answer_and_good_practice_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnswerTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('country', django_countries.fields.CountryField(max_length=2, verbose_name='country')),
                ('level', models.CharField(choices=[('national', 'National'), ('local', 'Local')], max_length=10, verbose_name='level')),
                ('value', models.CharField(blank=True, choices=[('fully_present', 'Fully present'), ('partially_present', 'Partially present'), ('absent', 'Absent'), ('not_applicable', 'Not applicable')], max_length=20, verbose_name='answer')),
                ('count', models.PositiveIntegerField(verbose_name='count')),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='indicators.indicator', verbose_name='indicator')),
            ],
            options={
                'verbose_name': 'answer tally',
                'verbose_name_plural': 'answer tallies',
                'constraints': [models.UniqueConstraint(fields=('indicator', 'country', 'level', 'value'), name='answertally_key_uniq')],
            },
        ),
        migrations.CreateModel(
            name='NewestPublication',
            fields=[
                ('government', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='profiles.government', verbose_name='government')),
                ('country', django_countries.fields.CountryField(max_length=2, verbose_name='country')),
                ('level', models.CharField(choices=[('national', 'National'), ('local', 'Local')], max_length=10, verbose_name='level')),
                ('stale_at', models.DateTimeField(help_text='When an embargoed publication of this government is released.', null=True, verbose_name='stale at')),
                ('publication', models.ForeignKey(help_text="Empty when none of the government's publications is live.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='profiles.publication', verbose_name='newest live publication')),
            ],
            options={
                'verbose_name': 'newest live publication',
                'verbose_name_plural': 'newest live publications',
                'indexes': [models.Index(condition=models.Q(('stale_at__isnull', False)), fields=['stale_at'], name='newest_stale_idx')],
            },
        ),
        migrations.RunPython(count_newest_live, migrations.RunPython.noop),
    ]
