"""CORS for the read-only API: GET, HEAD and OPTIONS only, and only when configured.

`MGI_API_CORS_ORIGINS` (environment variable, comma-separated) lists the origins
that browsers may call the API from, or `*` for any. Unset, no CORS header is
sent and browsers keep the same-origin rule. Credentials are never allowed:
the API is anonymous.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = "GET, HEAD, OPTIONS"


class ApiCorsMiddleware:
    """Add `Access-Control-Allow-Origin` to safe API responses from allowed origins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin")
        allowed = self._allowed(request, origin)
        if (
            allowed
            and request.method == "OPTIONS"
            and "Access-Control-Request-Method" in request.headers
        ):
            response = HttpResponse(status=204)
            if request.headers["Access-Control-Request-Method"].upper() in {"GET", "HEAD"}:
                response["Access-Control-Allow-Methods"] = SAFE_METHODS
                response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
                response["Access-Control-Max-Age"] = "86400"
                self._allow(response, allowed)
            return response
        response = self.get_response(request)
        if allowed and request.method in {"GET", "HEAD"}:
            self._allow(response, allowed)
        return response

    @staticmethod
    def _allowed(request: HttpRequest, origin: str | None) -> str | None:
        origins = settings.MGI_API_CORS_ORIGINS
        if not origin or not origins or not request.path.startswith("/api/"):
            return None
        if "*" in origins:
            return "*"
        return origin if origin in origins else None

    @staticmethod
    def _allow(response: HttpResponse, origin: str) -> None:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "ETag, Link"
        if origin != "*":
            response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
