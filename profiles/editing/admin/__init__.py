"""The admin for governments, assessments and their parts, and the workflow records.

Registered from `ProfilesConfig.ready()` (profiles/apps.py) by importing this
package; nothing else imports it (import-linter: "nothing imports the admin").

Rooms:

- `scoping`: the base classes; every queryset, choice list and content save goes
  through `profiles.access` (isolation) and `profiles.editing.answers` (locking);
- `governments`: governments and memberships (role management);
- `assessments`: the assessment's list and data-entry page, with `inlines`,
  `assessment_pages` (workflow, sign-off, consultation, translation views) and
  `spreadsheet` (the answers' round-trip);
- `parts`: each part of an assessment on its own page;
- `records`: what only the workflow writes (history, comments, sign-offs,
  publications), read-only.
"""

from profiles.editing.admin import assessments, governments, parts, records

__all__ = ["assessments", "governments", "parts", "records"]
