from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, TitleFieldPanel
from wagtail.admin.widgets.slug import SlugInput
from wagtail.search import index


class AuthorQuerySet(models.QuerySet):
    """Which authors readers may see depends on their stories: ``gazette.news.authors``."""


class NewAuthorNamePanel(TitleFieldPanel):
    """The name fills in the slug as it is typed, for a new author only: an existing author's
    address stays put when a name is corrected."""

    class BoundPanel(TitleFieldPanel.BoundPanel):
        def get_should_apply(self):
            return self.instance is None or self.instance.pk is None


def unique_author_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug made from ``name`` that no other author has: "ana-lopez", then "ana-lopez-2"."""
    field = Author._meta.get_field("slug")
    base = slugify(name, allow_unicode=False)[: field.max_length - 4] or "author"
    taken = set(
        Author.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


class Author(index.Indexed, models.Model):
    """A writer, kept as a snippet so one person is one record across all their articles."""

    name = models.CharField(max_length=200, help_text="Name as shown in bylines.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Part of the author page's address: /authors/<slug>/. Filled in from the "
        "name when left empty.",
    )
    email = models.EmailField(
        blank=True, help_text="Public contact address, shown as a mail link in the author box."
    )
    # An archive's addresses (a WordPress account's e-mail, a feed's author) were never meant
    # for readers: they only recognise the author on the next import.
    archive_email = models.EmailField(
        blank=True,
        help_text="The address this author had in an imported archive. Never shown to readers; "
        "copy it to Email to publish it.",
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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The staff account that writes as this author, if any: her new articles start "
        "with this byline.",
    )

    panels = [
        NewAuthorNamePanel("name", placeholder="Name*"),
        FieldPanel("slug", widget=SlugInput),
        FieldPanel("email"),
        FieldPanel("archive_email", read_only=True),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Authors are made by the snippet form, the chooser's "create" tab, "My byline" and the
        # importers: each may leave the slug to the name.
        if not self.slug:
            self.slug = unique_author_slug(self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:author", kwargs={"slug": self.slug})
