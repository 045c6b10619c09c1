from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "onetrip.delivery"
    label = "delivery"
    verbose_name = _("Delivery of results")

    def ready(self) -> None:
        from onetrip.delivery import plug

        plug.connect()
