"""Outputs: what a publication's frozen content becomes (page body, PDF, data files).

`pages` renders the HTML body, `pdf` the tagged PDF, `exports` the CSV/JSON/XLSX
tables, `opendata` the whole-dataset files. Everything here reads frozen
publication content only, never draft rows.

May import: models, content, indicators. Never editing, workflow, public, api or admin.
"""
