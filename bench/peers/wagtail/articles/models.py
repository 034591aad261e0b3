"""A newsroom's article in plain Wagtail: sections under the home page, articles in them with
a byline, a credited lead picture, a body of paragraphs and credited pictures, and the
section's latest stories beside them. What a developer would write first."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index


class SectionPage(Page):
    subpage_types = ["articles.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            ArticlePage.objects.live().child_of(self).order_by("-first_published_at")[:20]
        )
        return context


class CreditedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    credit = blocks.CharBlock(required=False)

    class Meta:
        template = "articles/credited_image_block.html"


class ArticlePage(Page):
    author = models.CharField(max_length=200)
    author_email = models.EmailField(blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_credit = models.CharField(max_length=200, blank=True)
    body = StreamField(
        [("paragraph", blocks.RichTextBlock()), ("image", CreditedImageBlock())], blank=True
    )

    parent_page_types = ["articles.SectionPage"]
    content_panels = [
        *Page.content_panels,
        FieldPanel("author"),
        FieldPanel("author_email"),
        FieldPanel("lead_image"),
        FieldPanel("lead_credit"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    def latest_stories(self):
        return (
            ArticlePage.objects.live()
            .sibling_of(self, inclusive=False)
            .order_by("-first_published_at")[:6]
        )
