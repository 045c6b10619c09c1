from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "onetrip.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from onetrip.payments import plug

        plug.connect()
