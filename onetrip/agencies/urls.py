from django.urls import path

from onetrip.agencies import views

app_name = "agencies"
urlpatterns = [
    path("agencies/", views.listing, name="listing"),
    path("agencies/p/<str:number>/", views.purchase, name="purchase"),
    path("agencies/mine/", views.mine, name="mine"),
    path("staff/agencies/", views.review, name="review"),
]
