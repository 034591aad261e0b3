from django.urls import path

from . import feeds, views

app_name = "corrections"
urlpatterns = [
    path("", views.corrections_page, name="page"),
    path("rss.xml", feeds.CorrectionsFeed(), name="rss"),
    path("atom.xml", feeds.CorrectionsAtomFeed(), name="atom"),
]
