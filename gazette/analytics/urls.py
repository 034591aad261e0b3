from django.urls import path

from . import views

app_name = "analytics"

# The beacon's paths are also nginx's (deploy/nginx.conf answers the beacon and the pixel, and
# caches the count) and beacon_log.BEACON_PATH's: change them together.
urlpatterns = [
    path("views/<int:article_id>/", views.beacon, name="beacon"),
    path("views/<int:article_id>/pixel.gif", views.pixel, name="pixel"),
    path("views/<int:article_id>/count", views.count, name="count"),
]
