"""What the OpenAPI schema says beyond what drf-spectacular infers from the views.

Every operation can answer three statuses that no single view declares, so they are
added here once, for all of them, with the shape DRF really sends:

- 400: a query parameter is invalid (a filter value outside its choices, `page_size`
  outside 1..`Pagination.max_page_size`, an unknown `language`): `{"<parameter>":
  ["message", ...]}`, or `{"detail": "message"}`;
- 404: no such object, a page number past the last page, or a `cursor` that no
  `next` or `previous` link gave: `{"detail": "message"}`
  (also for addresses under /api/ that match no route: `mgi_portal.errors`);
- 429: the anonymous rate limit (`MGI_API_ANON_RATE`) is spent: `{"detail": "..."}`
  with a `Retry-After` header.

Filters ignore an empty value (`?level=` is no filter, as an HTML form sends it), so
every query parameter but `page`, `page_size` and `language` is declared with
`allowEmptyValue`.

schemathesis (`.ci/run`) checks the schema against the running API, so a status
the API can answer but the schema does not list fails CI.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": (
        'Either {"detail": "message"} or, for invalid query parameters, '
        '{"<parameter>": ["message", ...]}.'
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

NO_NUL = "^[^\\x00]*$"

#: Query parameters that must carry a value when present.
VALUE_REQUIRED = frozenset({"page", "page_size", "language"})

STATUSES = {
    "400": "A query parameter is invalid; the body names it.",
    "404": "No such object, a page past the last one, or an invalid cursor.",
    "429": "Rate limit reached; retry after the number of seconds in `Retry-After`.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the shared error responses everywhere."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] not in VALUE_REQUIRED:
                    parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not {"enum", "format"} & set(schema):
                    # Django refuses NUL characters in form input (400).
                    schema["pattern"] = NO_NUL
            responses = operation.setdefault("responses", {})
            for status, description in STATUSES.items():
                response: dict[str, Any] = {"description": description, "content": reference}
                if status == "429":
                    response["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "required": True}
                    }
                responses.setdefault(status, response)
    return result
