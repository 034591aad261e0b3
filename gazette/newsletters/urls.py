from django.urls import path

from . import views

app_name = "newsletters"
urlpatterns = [
    path("", views.index, name="index"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.newsletter_page, name="newsletter"),
    path("<slug:slug>/<int:issue_id>/", views.issue_page, name="issue"),
]
