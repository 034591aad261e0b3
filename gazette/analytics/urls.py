from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("views/<int:article_id>/", views.beacon, name="beacon"),
    path("views/<int:article_id>/pixel.gif", views.pixel, name="pixel"),
]
