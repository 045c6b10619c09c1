import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
application = get_wsgi_application()


def _warm_search() -> None:
    """Each web process builds its search index in the background as it starts (docs/search.md),
    instead of making its first searcher wait seconds for it."""
    from django.conf import settings

    if settings.SEARCH_WARM_AT_START:
        from onetrip.catalog import engine

        engine.warm_in_background()


_warm_search()
