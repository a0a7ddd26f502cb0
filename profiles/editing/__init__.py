"""Entering assessments: the admin, its forms and the spreadsheet round-trip.

- `admin/` (a package of rooms, see its docstring) is registered from
  `ProfilesConfig.ready()` (profiles/apps.py), so nothing imports it directly;
- `forms`: the data-entry and workflow forms;
- `answers`: every content write (row lock, permission and revision check, bulk
  writes, revision bump), called by the admin, the forms and the import;
- `spreadsheets/`: the answers' XLSX/CSV export and checked import; `uploads`
  keeps and sweeps uploads awaiting confirmation;
- `admin_shortcut`: the admin's scoped "view on site" redirect.

Who may do what is `profiles.access`'s answer; status changes go through
`profiles.workflow`; this package only edits content while both allow it.

May import: everything below it (models, access, content, workflow, outputs, public selectors).
"""
