"""Admin for the indicator frameworks. Administrators manage them; the text comes from
the data files via `sync_framework`, so edits here are for corrections."""

from django.contrib import admin
from django.db.models import Count

from indicators.models import Area, Dimension, Framework, GCMObjective, Indicator, SDGDomain


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "version", "year", "status", "indicator_count"]
    list_filter = ["level", "status"]
    search_fields = ["name", "slug", "version"]
    autocomplete_fields = ["previous"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(indicator_count=Count("indicators"))
            .order_by("level", "-year")
        )

    @admin.display(description="indicators", ordering="indicator_count")
    def indicator_count(self, obj):
        return obj.indicator_count


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "framework", "migof_element"]
    list_filter = ["framework"]
    list_select_related = ["framework"]
    search_fields = ["short_name", "long_name"]
    autocomplete_fields = ["framework"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dimension", "framework"]
    list_filter = ["dimension__framework", "dimension__code"]
    list_select_related = ["dimension__framework"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["dimension"]

    @admin.display(description="framework", ordering="dimension__framework")
    def framework(self, obj):
        return obj.dimension.framework


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "question", "area", "framework", "equivalent", "retired_at"]
    list_filter = ["framework", "area__dimension__code", ("retired_at", admin.EmptyFieldListFilter)]
    list_select_related = ["framework", "area", "equivalent"]
    search_fields = ["code", "question"]
    autocomplete_fields = ["framework", "area", "equivalent"]
    filter_horizontal = ["gcm_objectives", "sdg_domains"]


@admin.register(GCMObjective)
class GCMObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    search_fields = ["title"]


@admin.register(SDGDomain)
class SDGDomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name"]
