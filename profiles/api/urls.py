"""API routes, mounted at /api/ outside the language prefixes: /api/v1/..."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from profiles.api import views

app_name = "api"

router = DefaultRouter()
router.register("governments", views.GovernmentViewSet, basename="government")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("gcm-objectives", views.GCMObjectiveViewSet, basename="gcm-objective")
router.register("sdg-domains", views.SDGDomainViewSet, basename="sdg-domain")
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("answers", views.AnswerViewSet, basename="answer")
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    # Redoc from our static files (drf-spectacular-sidecar), started by its <redoc>
    # element, so the site's Content-Security-Policy (scripts from 'self' only) holds;
    # Redoc writes its styles inline and runs its search in a worker it makes from a
    # blob: URL (blocked, the search box finds nothing). The page is ours: <html lang>,
    # no web fonts. tests/security/test_headers.py pins these two exceptions.
    path(
        "v1/docs/",
        csp_update({"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(
                url_name="api:schema", template_name="profiles/api_docs.html"
            )
        ),
        name="docs",
    ),
    path("v1/", include(router.urls)),
]
