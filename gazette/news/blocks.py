"""StreamField blocks of an article body."""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

from .queries import ARTICLE_RENDITIONS

RICH_TEXT_FEATURES = ["bold", "italic", "link", "h2", "h3", "ol", "ul", "superscript", "subscript"]


class CreditedImageChooserBlock(ImageChooserBlock):
    """An image chooser that loads every image of a body, and their renditions, in two
    queries however many image blocks the body has."""

    def bulk_to_python(self, values):
        images = get_image_model().objects.prefetch_renditions(*ARTICLE_RENDITIONS)
        objects = images.in_bulk([value for value in values if value is not None])
        return [objects.get(value) for value in values]


class ImageBlock(blocks.StructBlock):
    image = CreditedImageChooserBlock()
    caption = blocks.CharBlock(
        required=False,
        max_length=500,
        help_text="Overrides the image's own caption here. The credit always comes from the image.",
    )

    class Meta:
        icon = "image"
        template = "news/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "news/blocks/quote.html"


class LinkedEmbedBlock(EmbedBlock):
    """A video or post from another site, shown as a link card: the page itself makes no
    third-party request, the reader chooses to follow it."""

    class Meta:
        icon = "media"
        template = "news/blocks/embed.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="news/blocks/paragraph.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    embed = LinkedEmbedBlock()
