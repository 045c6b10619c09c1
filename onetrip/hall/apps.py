from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "onetrip.hall"
    label = "hall"
    verbose_name = _("Service hall")

    def ready(self) -> None:
        from onetrip.hall import notifications

        notifications.register_templates()
