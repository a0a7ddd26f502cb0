"""Pagination with a client-chosen page size up to a limit, checked strictly.

Most lists are short (governments, publications) and page by number with a
count. The flat answer and finding lists have 45-97 and about 12 rows per
publication (1.35 million and 360,000 at 10,000 local governments x 3 rounds): a
COUNT over them (240 and 45 ms) or an OFFSET deep into them (2.1 s a million rows
in) reads every row before the page, so they page by cursor instead
(`KeysetPagination`): each page continues after the last row of the previous one,
by index, and costs the same wherever it is.
"""

import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


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
        return self._bounded(super().get_schema_operation_parameters(view))

    def _bounded(self, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`parameters` with the schema of `page_size` saying its bounds and default."""
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


class KeysetPagination(_StrictPageSize):
    """`?cursor=...&page_size=200`: follow `next` (and `previous`); no count, no page numbers.

    Rows come publication after publication, in the order they were published,
    each publication's rows in the order they were frozen (their keys), so a client that
    keeps its last `next` link later receives only what was published since. A
    cursor holds the keys of the publication and the row a page continues from:
    PostgreSQL then walks the publications (a small table, where filters on the
    year, round or country apply) and each one's rows by index. Ordered by the
    row key alone, a filter on the publication made it read through every row of
    earlier rounds first (430 ms for `?year=2024&round=3` at 10,000 governments,
    against 23 ms this way). DRF's CursorPagination keys a cursor on one field and
    skips rows sharing it by offset, which with ~90 rows a publication gave empty
    `previous` pages; this one keys on both.
    """

    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor: take it from a `next` or `previous` link."
    _CURSOR = re.compile(r"([nb])-([0-9]{1,18})-([0-9]{1,18})")

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any]:
        self.base_url = request.build_absolute_uri()
        page_size = self.get_page_size(request)
        cursor = self._decode(request.query_params.get(self.cursor_query_param))
        backwards = cursor is not None and cursor[0] == "b"
        if cursor is None:
            queryset = queryset.order_by("publication_id", "pk")
        elif backwards:
            _direction, publication, key = cursor
            queryset = (
                queryset.filter(publication_id__lte=publication)
                .exclude(publication_id=publication, pk__gte=key)
                .order_by("-publication_id", "-pk")
            )
        else:
            _direction, publication, key = cursor
            queryset = (
                queryset.filter(publication_id__gte=publication)
                .exclude(publication_id=publication, pk__lte=key)
                .order_by("publication_id", "pk")
            )
        rows = list(queryset[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        if backwards:
            rows.reverse()
        has_next = more if not backwards else bool(rows)
        has_previous = more if backwards else cursor is not None and bool(rows)
        self.next_link = self._link("n", rows[-1]) if has_next else None
        self.previous_link = self._link("b", rows[0]) if has_previous else None
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link, "previous": self.previous_link, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Where the page starts: take it from a `next` or `previous` link.",
            "schema": {"type": "string"},
        }
        size = {
            "name": self.page_size_query_param,
            "required": False,
            "in": "query",
            "description": "Number of results to return per page.",
            "schema": {"type": "integer"},
        }
        return [cursor, *self._bounded([size])]

    def _link(self, direction: str, row: Any) -> str:
        token = f"{direction}-{row.publication_id}-{row.pk}".encode("ascii")
        return replace_query_param(
            self.base_url, self.cursor_query_param, urlsafe_b64encode(token).decode("ascii")
        )

    def _decode(self, encoded: str | None) -> tuple[str, int, int] | None:
        """The cursor's direction and keys; None for the first page (no or an empty cursor)."""
        if not encoded:
            return None
        try:
            match = self._CURSOR.fullmatch(urlsafe_b64decode(encoded.encode("ascii")).decode())
        except (ValueError, UnicodeError):  # not base64, or not text
            match = None
        if match is None:
            raise NotFound(self.invalid_cursor_message)
        return match[1], int(match[2]), int(match[3])
