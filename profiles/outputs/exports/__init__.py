"""Open data exports of published profiles: CSV, JSON and XLSX, with a codebook.

Everything here starts from a queryset of publications chosen by the caller
(`Publication.objects.live()`, `latest_per_government()`, or the one publication
being rendered), never from assessments, so nothing unpublished can be exported.

- `columns`: every exported column, its type and meaning (the codebook's source);
- `frames`: the tables as typed pandas frames;
- `codebook`: the codebook tables, its Markdown and the licence text;
- `schema`: datapackage.json, a Frictionless Table Schema for every CSV;
- `dataset`: CSV/ZIP/XLSX bytes of the whole dataset, safe from formula injection,
  and the per-publication CSV parts it can be assembled from;
- `publication`: one publication's CSV, JSON and data package ZIP, stored at publication.

The names below are what the rest of the project uses; `render_publication_data`
is a renderer listed in `settings.MGI_PUBLICATION_RENDERERS`.
"""

from profiles.outputs.exports.codebook import codebook_answer_values
from profiles.outputs.exports.columns import COLUMNS
from profiles.outputs.exports.dataset import (
    Dataset,
    build_dataset,
    dataset_xlsx,
    dataset_zip,
    neutralise,
    subset,
)
from profiles.outputs.exports.publication import (
    data_filename,
    publication_csv,
    publication_json,
    publication_package,
    render_publication_data,
)
from profiles.outputs.exports.schema import dataset_datapackage

__all__ = [
    "COLUMNS",
    "Dataset",
    "build_dataset",
    "codebook_answer_values",
    "data_filename",
    "dataset_datapackage",
    "dataset_xlsx",
    "dataset_zip",
    "neutralise",
    "publication_csv",
    "publication_json",
    "publication_package",
    "render_publication_data",
    "subset",
]
