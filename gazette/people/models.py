from __future__ import annotations

from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class AuthorQuerySet(models.QuerySet):
    """Which authors readers may see depends on their stories: ``gazette.news.authors``."""


class Author(index.Indexed, models.Model):
    """A writer, kept as a snippet so one person is one record across all their articles."""

    name = models.CharField(max_length=200, help_text="Name as shown in bylines.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Part of the author page's address: /authors/<slug>/"
    )
    email = models.EmailField(
        blank=True, help_text="Public contact address, shown as a mail link in the author box."
    )
    bio = models.TextField(
        max_length=1000, blank=True, help_text="A sentence or two shown on the author page."
    )
    photo = models.ForeignKey(
        "images.CustomImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A portrait, shown on the author page.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("email"),
        FieldPanel("bio"),
        FieldPanel("photo"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:author", kwargs={"slug": self.slug})
