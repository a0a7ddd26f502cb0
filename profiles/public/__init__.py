"""The public site: views, selectors, filters, sitemaps, caching and file serving.

Public code reads live publications only (`Publication.objects.live()`), never
drafts, so nothing unpublished can leak through a forgotten filter.

May import: models, content, outputs, indicators. Never editing, workflow or admin.
"""
