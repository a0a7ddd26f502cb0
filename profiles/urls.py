"""Public URLs. Every view here reads publications only."""

from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.home, name="home"),
    path("profiles/<slug:slug>/", views.government, name="government"),
    path("profiles/<slug:slug>/<int:year>/", views.round_, name="round"),
    path("profiles/<slug:slug>/<int:year>/v<int:version>/", views.version, name="version"),
]
