"""Writing a parsed plan: upserts by natural key in one transaction, then the signal.

Indicators missing from the files are retired, never deleted, so old assessments
keep their questions.
"""

from collections import Counter
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from indicators import signals
from indicators.loader.reading import DATA_DIR, SyncReport, parse
from indicators.models import (
    Area,
    Dimension,
    Framework,
    GCMObjective,
    Indicator,
    SDGDomain,
)


def _upsert(model, report: SyncReport, kind: str, lookup: dict, values: dict):
    """Create or update one row; count what happened."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created[kind] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        report.updated[kind] += 1
    else:
        report.unchanged[kind] += 1
    return obj


@transaction.atomic
def sync(data_dir: Path = DATA_DIR, *, dry_run: bool = False) -> SyncReport:
    """Validate the files, then upsert everything in one transaction.

    With `dry_run` the changes are made and counted, then rolled back.
    """
    plan = parse(data_dir)
    report = SyncReport()
    now = timezone.now()

    gcm = {
        item["number"]: _upsert(
            GCMObjective,
            report,
            "gcm objective",
            {"number": item["number"]},
            {"title": item["title"], "i18n": item["i18n"]},
        )
        for item in plan.gcm
    }
    sdg = {
        item["code"]: _upsert(
            SDGDomain,
            report,
            "sdg domain",
            {"code": item["code"]},
            {"name": item["name"], "i18n": item["i18n"]},
        )
        for item in plan.sdg
    }

    frameworks: dict[str, Framework] = {}
    for fw in plan.frameworks:  # previous versions are listed first in frameworks.csv order
        before = report.changes()
        frameworks[fw["slug"]] = _upsert(
            Framework,
            report,
            "framework",
            {"slug": fw["slug"]},
            {
                "name": fw["name"],
                "level": fw["level"],
                "version": fw["version"],
                "year": fw["year"],
                "status": fw["status"],
                "wording_note": fw["wording_note"],
                "i18n": fw["i18n"],
            },
        )
        if report.changes() != before:
            report.changed.setdefault(frameworks[fw["slug"]].pk, set())
    for fw in plan.frameworks:
        framework = frameworks[fw["slug"]]
        previous = frameworks.get(fw["previous"])
        if framework.previous_id != (previous.pk if previous else None):
            framework.previous = previous
            framework.save(update_fields=["previous", "updated_at"])

    for fw in plan.frameworks:
        framework = frameworks[fw["slug"]]
        before_framework = report.changes()
        changed_codes: set[str] = set()
        dims = {
            d["code"]: _upsert(
                Dimension,
                report,
                "dimension",
                {"framework": framework, "code": d["code"]},
                {
                    k: d[k]
                    for k in ("short_name", "long_name", "migof_element", "description", "i18n")
                },
            )
            for d in plan.dimensions[fw["level"]]
        }
        areas: dict[str, Area] = {}
        positions: Counter = Counter()
        for item in plan.indicators[fw["slug"]]:
            if item["area_code"] not in areas:
                dimension = dims[item["dimension"]]
                positions[item["dimension"]] += 1
                areas[item["area_code"]] = _upsert(
                    Area,
                    report,
                    "area",
                    {"dimension": dimension, "code": item["area_code"]},
                    {
                        "name": item["area_name"],
                        "i18n": item["area_i18n"],
                        "position": positions[item["dimension"]],
                    },
                )
        in_file = set()
        per_area: Counter = Counter()
        for item in plan.indicators[fw["slug"]]:
            per_area[item["area_code"]] += 1
            before = report.changes()
            indicator = _upsert(
                Indicator,
                report,
                "indicator",
                {"framework": framework, "code": item["code"]},
                {
                    "area": areas[item["area_code"]],
                    "question": item["question"],
                    "guidance": item["guidance"],
                    "i18n": item["i18n"],
                    "position": per_area[item["area_code"]],
                    "retired_at": None,
                },
            )
            remapped = _set_mapping(
                indicator, "gcm_objectives", [gcm[n] for n in item["gcm"]], report
            )
            remapped |= _set_mapping(
                indicator, "sdg_domains", [sdg[c] for c in item["sdg"]], report
            )
            if remapped or report.changes() != before:
                changed_codes.add(item["code"])
            in_file.add(item["code"])
        retiring = Indicator.objects.filter(framework=framework, retired_at__isnull=True).exclude(
            code__in=in_file
        )
        changed_codes.update(retiring.values_list("code", flat=True))
        retired = retiring.update(retired_at=now)
        report.retired["indicator"] += retired
        if changed_codes or report.changes() != before_framework:
            report.changed.setdefault(framework.pk, set()).update(changed_codes)

    # Equivalents last: they point into the previous version, which exists by now.
    for fw in plan.frameworks:
        previous = frameworks.get(fw["previous"])
        codes = (
            dict(Indicator.objects.filter(framework=previous).values_list("code", "pk"))
            if previous
            else {}
        )
        for item in plan.indicators[fw["slug"]]:
            wanted = codes.get(item["equivalent_code"]) if item["equivalent_code"] else None
            if (
                Indicator.objects.filter(framework=frameworks[fw["slug"]], code=item["code"])
                .exclude(equivalent_id=wanted)
                .update(equivalent_id=wanted)
            ):
                report.changed.setdefault(frameworks[fw["slug"]].pk, set()).add(item["code"])

    if dry_run:
        transaction.set_rollback(True)
    elif report.changed:
        changed = {pk: sorted(codes) for pk, codes in report.changed.items()}
        transaction.on_commit(
            lambda: signals.framework_changed.send(
                sender=Framework, framework_ids=sorted(changed), indicator_codes=changed
            )
        )
    return report


def _set_mapping(indicator: Indicator, name: str, targets: list, report: SyncReport) -> bool:
    """Replace an indicator's mapping if it differs (a change counts as an update)."""
    manager = getattr(indicator, name)
    current = set(manager.values_list("pk", flat=True))
    wanted = {t.pk for t in targets}
    if current != wanted:
        manager.set(targets)
        if current:
            report.updated["indicator"] += 1
    return current != wanted
