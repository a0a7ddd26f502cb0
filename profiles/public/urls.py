"""Public URLs. Every view here reads publications only."""

from django.urls import path

from profiles.public import downloads, views

app_name = "profiles"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("profiles/", views.profile_list, name="list"),
    path("good-practices/", views.good_practices, name="good_practices"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/gcm/", views.gcm_objectives, name="gcm"),
    path("indicators/sdg-10-7-2/", views.sdg_domains, name="sdg"),
    path("indicators/<slug:framework>/<str:code>/", views.indicator_detail, name="indicator"),
    path("profiles/<slug:slug>/compare/", views.compare_rounds, name="compare_rounds"),
    path("profiles/<slug:slug>/compare/national/", views.compare_national, name="compare_national"),
    path("profiles/<slug:slug>/", views.government, name="government"),
    path("profiles/<slug:slug>/<int:year>/", views.round_, name="round"),
    path("profiles/<slug:slug>/<int:year>/v<int:version>/", views.version, name="version"),
    path(
        "profiles/<slug:slug>/<int:year>/v<int:version>/data.csv",
        downloads.publication_data,
        {"kind": "csv"},
        name="version_csv",
    ),
    path(
        "profiles/<slug:slug>/<int:year>/v<int:version>/data.json",
        downloads.publication_data,
        {"kind": "json"},
        name="version_json",
    ),
    path(
        "profiles/<slug:slug>/<int:year>/v<int:version>/data.zip",
        downloads.publication_data,
        {"kind": "zip"},
        name="version_zip",
    ),
    path(
        "profiles/<slug:slug>/<int:year>/v<int:version>/pdf/<str:language>/",
        downloads.pdf,
        name="pdf",
    ),
    path("profiles/<slug:slug>/pdf/", downloads.pdf_latest, name="pdf_latest"),
    path("data/", downloads.data_page, name="data"),
    path("data/<str:name>", downloads.dataset_file, name="dataset_file"),
]
