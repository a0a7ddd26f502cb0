"""One publication's own data files (CSV, JSON and a data package), rendered at publication."""

import io
import json
import zipfile

import pandas as pd
from django.conf import settings

from profiles.models import FileKind, Publication
from profiles.outputs import files
from profiles.outputs.exports.codebook import licence_text
from profiles.outputs.exports.columns import COLUMNS
from profiles.outputs.exports.dataset import build_tables, to_csv_bytes
from profiles.outputs.exports.frames import (
    answers_frame,
    context_figures_frame,
    findings_frame,
    publications_frame,
    typed,
)
from profiles.outputs.exports.schema import datapackage


def publication_csv(publication: Publication) -> bytes:
    """Every answer of one publication as CSV (the columns of answers.csv)."""
    return to_csv_bytes(answers_frame(Publication.objects.filter(pk=publication.pk)))


def publication_json(publication: Publication) -> bytes:
    """One publication as JSON: its metadata, answers, findings, context figures, sources."""
    only = Publication.objects.filter(pk=publication.pk)
    pubs = publications_frame(only)

    def records(frame: pd.DataFrame) -> list[dict]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    meta = records(typed(pubs[[c.name for c in COLUMNS["publications"]]], "publications"))[0]
    document = {
        "publication": meta,
        "licence": settings.MGI_CONTENT_LICENCE,
        "answers": records(answers_frame(only, pubs=pubs)),
        "findings": records(findings_frame(only, pubs=pubs)),
        "context_figures": records(context_figures_frame(only, pubs=pubs)),
        "sources": [
            {key: source[key] for key in ("id", "title", "kind", "issuer", "year", "url")}
            for source in publication.content["sources"]
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def publication_package(publication: Publication) -> bytes:
    """One publication as a Frictionless Data Package: a ZIP of its four tables' CSV files.

    The tables are the whole dataset's (same columns, same rows for this version),
    with a datapackage.json whose keys stay inside the package: the codebook tables
    it would otherwise point at are in the whole dataset at /data/.
    """
    tables = build_tables(Publication.objects.filter(pk=publication.pk))
    created = publication.release_at.replace(microsecond=0).isoformat()
    descriptor = datapackage(
        list(tables),
        name=f"mgi-{publication.government.slug}-{publication.year}-v{publication.version}",
        title=f"MGI profile {publication.government.slug} {publication.year} "
        f"v{publication.version}",
        generated_at=created,
        with_codebook=False,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", to_csv_bytes(frame))
        archive.writestr("LICENCE", licence_text(generated_at=created))
    return buffer.getvalue()


def data_filename(publication: Publication, extension: str) -> str:
    """`mgi-chl-2023-v1.csv`: names the exact version, as downloads are cited."""
    return (
        f"mgi-{publication.government.slug}-{publication.year}-v{publication.version}.{extension}"
    )


def render_publication_data(publication: Publication) -> None:
    """Renderer for `publishing._renderers()`: store the CSV, JSON and data package."""
    language = publication.content.get("original_language", "en")
    for kind, data in (
        (FileKind.CSV, publication_csv(publication)),
        (FileKind.JSON, publication_json(publication)),
        (FileKind.ZIP, publication_package(publication)),
    ):
        files.store(
            publication,
            kind=kind,
            language=language,
            filename=data_filename(publication, kind),
            data=data,
        )
