"""The site's URLs plus one view that fails, to see the 500 page through the whole stack."""

from django.urls import path

from onetrip.urls import handler400, handler403, handler404, handler500
from onetrip.urls import urlpatterns as site_urls


def boom(request):
    raise RuntimeError("a fault for the test")


urlpatterns = [path("boom/", boom), *site_urls]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
