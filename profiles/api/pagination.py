"""Pagination with a client-chosen page size up to a limit, checked strictly.

Most lists are short (governments, publications) and page by number with a
count. The flat answer list has about 90 rows per publication (2.7 million at
10,000 governments x 3 rounds): a COUNT over it, or an OFFSET deep into it, reads
every row before the page, so it pages by cursor instead (`CursorPagination`):
each page continues after the last row of the previous one, along the primary
key's index, and costs the same wherever it is.
"""

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import (
    BasePagination,
    CursorPagination,
    PageNumberPagination,
)
from rest_framework.pagination import (
    Cursor as DRFCursor,
)
from rest_framework.request import Request


class _StrictPageSize(BasePagination):
    """`page_size`: 50 rows by default, 1 to 1000.

    DRF quietly replaces an unusable `page_size` (`-3`, `2.5`, `99999`) by the
    default or the maximum; a client then gets a page it did not ask for and
    cannot tell. Here such a value is a 400 that names the parameter, as the
    OpenAPI schema's bounds say.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters


class Pagination(_StrictPageSize, PageNumberPagination):
    """`?page=2&page_size=200`, with the number of rows (`count`)."""

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        """The page asked for; an empty `page=` is an error (the schema says a number)."""
        if request.query_params.get(self.page_query_param) == "":
            raise ValidationError({self.page_query_param: ["A whole number from 1."]})
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class KeysetPagination(_StrictPageSize, CursorPagination):
    """`?cursor=...&page_size=200`: follow `next` (and `previous`); no count, no page numbers.

    Rows come in primary-key order: publication after publication as they were
    published, each in its indicator order, so a client that keeps its last
    `next` link later receives only what was published since.
    """

    ordering = "pk"
    cursor_query_description = "Where the page starts: take it from a `next` or `previous` link."

    def decode_cursor(self, request: Request) -> DRFCursor | None:
        """The cursor asked for; one whose position is not a key is as invalid as bad base64.

        DRF would hand any position to the database, and a text one fails there (500).
        """
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise NotFound(self.invalid_cursor_message)
        return cursor
