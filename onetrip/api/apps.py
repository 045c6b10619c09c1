from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onetrip.api"
    label = "api"
    verbose_name = "API"
