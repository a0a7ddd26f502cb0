"""The public site: views, selectors, comparisons, filters, sitemaps, caching and file serving.

Public code reads live publications only (`Publication.objects.live()`), never
drafts, so nothing unpublished can leak through a forgotten filter.

May import: models, content, outputs, publishing (the open dataset's and the answer
tallies' embargo release, the content generation the page cache keys on), indicators.
Never editing, workflow or admin.
"""
