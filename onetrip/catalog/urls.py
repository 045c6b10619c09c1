from django.urls import path

from onetrip.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("items/<str:code>/print/", views.item_print, name="item-print"),
    path("items/<str:code>/qr.svg", views.item_qr, name="item-qr"),
    path("items/<str:code>/versions/", views.item_versions, name="item-versions"),
    path("items/<str:code>/versions/<int:old>/diff/<int:new>/", views.item_diff, name="item-diff"),
    path("bundles/", views.bundle_list, name="bundles"),
    path("bundles/<str:code>/", views.bundle_guide, name="bundle"),
    path("search/open/<int:pk>/", views.search_open, name="search-open"),
    path("manage/catalogue/search/", views.search_work, name="search-work"),
    path("manage/catalogue/search/<int:pk>/dismiss/", views.search_dismiss, name="search-dismiss"),
    path("manage/catalogue/export.xlsx", views.export_xlsx, name="export"),
    path("manage/catalogue/import/", views.import_xlsx, name="import"),
    path("manage/catalogue/publications/", views.publications, name="publications"),
    path("manage/catalogue/publications/<int:pk>/", views.publication, name="publication"),
    path("manage/catalogue/publications/<int:pk>/approve/", views.publication_approve, name="publication-approve"),
    path("manage/catalogue/publications/<int:pk>/reject/", views.publication_reject, name="publication-reject"),
    path("manage/catalogue/publications/<int:pk>/withdraw/", views.publication_withdraw, name="publication-withdraw"),
]
