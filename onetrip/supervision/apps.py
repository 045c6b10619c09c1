from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onetrip.supervision"
    label = "supervision"
    verbose_name = _("E-supervision")

    def ready(self) -> None:
        # The cards and orders of a case on its staff workbench (cases never imports this app).
        from onetrip.cases import hooks
        from onetrip.supervision import notifications, selectors

        notifications.register_templates()
        hooks.register_panel(hooks.Panel("supervision", frozenset({"staff"}), selectors.case_panel,
                                         template="supervision/_case_panel.html", position=90))
