from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "onetrip.agencies"
    label = "agencies"
    verbose_name = _("Intermediary marketplace")

    def ready(self) -> None:
        from onetrip.agencies import notifications, plug

        notifications.register_templates()
        plug.connect()
