from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensesConfig(AppConfig):
    name = "onetrip.licenses"
    label = "licenses"
    verbose_name = _("Electronic licences")

    def ready(self) -> None:
        # Plug into cases through its hooks (cases never imports this app): each decision is
        # signed by its officer, an approved case of a licence-producing item queues its licence,
        # and the case page shows the decision's signature.
        from onetrip.licenses import hooks

        hooks.register()
