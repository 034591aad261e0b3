from django.urls import path

from . import authors

app_name = "news"
urlpatterns = [path("<slug:slug>/", authors.author_page, name="author")]
