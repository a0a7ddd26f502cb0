"""URL map: public pages under language prefixes (English unprefixed), admin, health."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from mgi_portal import two_factor
from profiles.editing import admin_shortcut
from profiles.public import sitemaps
from profiles.public import views as profile_views

urlpatterns = [
    path("healthz", profile_views.healthz, name="healthz"),
    path("robots.txt", profile_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The API is not language-prefixed: its field names and codes are the same everywhere.
    path("api/", include("profiles.api.urls")),
    # Before the admin's own URLs so the admin's catch-all does not take it.
    path(f"{settings.MGI_ADMIN_PATH}two-factor/", two_factor.two_factor, name="two_factor"),
    # The admin's "view on site" shortcut, with the same converters as Django's own
    # pattern (which it shadows), so no address reaches the unscoped view.
    path(
        f"{settings.MGI_ADMIN_PATH}r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(admin_shortcut.view_on_site),
    ),
    path(settings.MGI_ADMIN_PATH, admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("profiles.public.urls")),
    prefix_default_language=False,
)

handler404 = "mgi_portal.errors.page_not_found"
