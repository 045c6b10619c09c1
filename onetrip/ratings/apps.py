from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onetrip.ratings"
    label = "ratings"
    verbose_name = _("Satisfaction ratings")

    def ready(self) -> None:
        from onetrip.ratings import plug

        plug.connect()
