from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "onetrip.catalog"
    label = "catalog"
    verbose_name = _("Service item catalogue")

    def ready(self) -> None:
        from onetrip.catalog import documents

        documents.register()
