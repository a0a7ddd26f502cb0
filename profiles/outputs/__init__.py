"""Outputs: what a publication's frozen content becomes (page body, PDF, data files).

`document` builds the one profile document a reader sees (from the frozen content
and the publication's own frozen fields, never live rows); `pages` renders it as
the HTML page body and `pdf` as the tagged PDF, through the same section partials
(templates/profiles/sections/). `exports` makes the CSV/JSON/XLSX tables and
`opendata` the whole-dataset files. `files.store()` is the one writer of a
publication's files. Everything here reads frozen publication content only,
never draft rows.

May import: models, content, indicators. Never editing, workflow, publishing,
public, api or admin.
"""
