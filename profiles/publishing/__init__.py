"""Publication: freezing validated content, making its files once, and taking it down.

`lifecycle` is the one place for what happens to publications: publish, embargo
release, withdraw (and why revising touches none). `tasks` are the Celery tasks
it dispatches after commit (render a publication's files, rebuild the open
dataset); `rendering` is the rendering those tasks run; `generation` is the
number public caches key on, bumped when what is public changes. Workflow calls
in here; nothing here changes an assessment's status.

May import: models, content, outputs (the renderers by dotted path in settings,
the open dataset). Never workflow, editing, public, api or admin.
"""
