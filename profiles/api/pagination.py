"""Page-number pagination with a client-chosen page size up to a limit, checked strictly."""

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    """`?page=2&page_size=200`; 50 rows by default, 1 to 1000.

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
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters
