"""Page-number pagination with a client-chosen page size up to a limit."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=2&page_size=200`; 50 rows by default, at most 1000."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
