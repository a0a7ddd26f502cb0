from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The MGI indicator framework: versions, dimensions, areas, indicators, mappings."""

    name = "indicators"
    verbose_name = _("Indicator frameworks")
