from django.urls import path

from . import views

app_name = "topics"
urlpatterns = [
    path("", views.topic_index, name="index"),
    # str, not slug: taggit keeps accented letters in slugs ("café").
    path("<str:slug>/", views.topic_page, name="topic"),
]
