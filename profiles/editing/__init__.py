"""Entering assessments: the admin, its forms and the spreadsheet round-trip.

The admin is registered from `ProfilesConfig.ready()` (profiles/apps.py), so
nothing imports `profiles.editing.admin` directly. Status changes go through
`profiles.workflow`; this package only edits content while the workflow allows it.

May import: everything below it (models, content, workflow, outputs, public selectors).
"""
