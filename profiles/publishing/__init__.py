"""Publication: freezing validated content and making its files, once.

`lifecycle` freezes a validated assessment into a numbered Publication and renders
its files after commit; `tasks` are the Celery tasks that run that rendering in a
worker. Workflow calls in here; nothing here changes an assessment's status.

May import: models, content, outputs (the renderers, by dotted path in settings).
Never workflow, editing, public, api or admin.
"""
