"""A translation records, per field, the original text it was made from (`source_hashes`).

It replaces the one `source_hash` of all original texts, which made a whole
translation stale when any original changed. Existing rows: a translation whose
`source_hash` matches its assessment's present originals gets the hash of each
present original, so it stays current; any other was already stale, and every
field of it stays stale (no hash is known). Texts and their hashes are computed
here as `profiles.content` computed them when the old hash was made, with the
migration's own models, so later changes to that module do not change this step.
"""

import hashlib
import json

from django.db import migrations, models


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _old_originals(apps, assessment) -> dict[str, str]:
    """The texts the old `source_hash` covered: `translatable_texts` before per-field hashes."""
    Answer = apps.get_model("profiles", "Answer")
    Finding = apps.get_model("profiles", "Finding")
    Source = apps.get_model("profiles", "Source")
    texts = {"introduction": assessment.introduction, "summary": assessment.summary}
    for pk, text in Finding.objects.filter(assessment=assessment).values_list("pk", "text"):
        texts[f"finding:{pk}"] = text
    answers = Answer.objects.filter(
        assessment=assessment,
        indicator__framework_id=assessment.framework_id,
        indicator__retired_at__isnull=True,
    ).values_list("indicator__code", "justification")
    for code, justification in answers:
        texts[f"answer:{code}:justification"] = justification
    for pk, title in Source.objects.filter(assessment=assessment).values_list("pk", "title"):
        texts[f"source:{pk}:title"] = title
    return {key: value for key, value in texts.items() if value}


def split_source_hash(apps, schema_editor):
    ContentTranslation = apps.get_model("profiles", "ContentTranslation")
    for translation in ContentTranslation.objects.select_related("assessment"):
        originals = _old_originals(apps, translation.assessment)
        encoded = json.dumps(
            {"texts": originals}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        if _sha256(encoded) == translation.source_hash:
            translation.source_hashes = {
                key: _sha256(originals[key].encode("utf-8"))
                for key in translation.texts
                if key in originals
            }
        else:
            translation.source_hashes = {}
        translation.save(update_fields=["source_hashes"])


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0007_government_sort_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="contenttranslation",
            name="source_hashes",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="SHA-256 of the original text each field was translated from.",
                verbose_name="made from original texts",
            ),
        ),
        migrations.RunPython(split_source_hash, migrations.RunPython.noop),
        # Backwards, the old column comes back empty, so every translation is stale.
        migrations.AlterField(
            model_name="contenttranslation",
            name="source_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="made from original version"
            ),
        ),
        migrations.RemoveField(model_name="contenttranslation", name="source_hash"),
    ]
