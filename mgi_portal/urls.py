"""URL map: public pages under language prefixes (English unprefixed), admin, health."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from profiles import views as profile_views

urlpatterns = [
    path("healthz", profile_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.MGI_ADMIN_PATH, admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("profiles.urls")),
    prefix_default_language=False,
)
