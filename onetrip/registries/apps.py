from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "onetrip.registries"
    label = "registries"
    verbose_name = _("Shared registries")

    def ready(self) -> None:
        from onetrip.registries import hooks

        hooks.connect()
