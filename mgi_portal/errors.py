"""Error pages: JSON under /api/, the site's HTML page everywhere else.

An API client that asks for `/api/v1/answers/x/` (no such route) should get the
same `{"detail": ...}` body and content type as for an unknown id, as the OpenAPI
schema documents, not the site's HTML 404 page.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON for the API, the site's page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
