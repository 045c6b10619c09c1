from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onetrip.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from onetrip.cases import notifications, services  # noqa: F401  (services registers the actions)

        notifications.register_templates()
