"""Generated stand-in pictures for images a source only credits.

An importer that knows a picture exists (it has its credit) but not its pixels must not
invent one: it makes a plain card that says it is a placeholder and names the credit.
"""

from functools import lru_cache
from io import BytesIO
from textwrap import wrap

from django.core.files.base import ContentFile
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont

from .models import CustomImage

WIDTH, HEIGHT = 1200, 675
BACKGROUND = (228, 226, 220)
INK = (60, 60, 60)


# An import makes thousands of placeholders with few distinct credits: each card is drawn
# and compressed once (a tenth of a second), then its bytes are reused.
@lru_cache(maxsize=64)
def _draw_card(lines: tuple[str, ...]) -> bytes:
    picture = PillowImage.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((24, 24, WIDTH - 24, HEIGHT - 24), outline=INK, width=4)
    title_font = ImageFont.load_default(size=64)
    text_font = ImageFont.load_default(size=36)
    y = HEIGHT // 2 - 40 * len(lines)
    for index, line in enumerate(lines):
        font = title_font if index == 0 else text_font
        width = draw.textlength(line, font=font)
        draw.text(((WIDTH - width) / 2, y), line, fill=INK, font=font)
        y += 90 if index == 0 else 50
    buffer = BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def placeholder_image(
    *, title: str, credit: str, caption: str = "", collection_id: int | None = None
) -> CustomImage:
    """The placeholder image with this title, made on first use and reused after.
    ``collection_id`` (the root collection's, which a bulk run reads once) spares the query
    by which Wagtail finds the default collection of each new image."""
    existing = CustomImage.objects.filter(is_placeholder=True, title=title).first()
    if existing is not None:
        if existing.credit != credit:
            existing.credit = credit
            existing.save(update_fields=["credit"])
        return existing
    return new_placeholder_image(
        title=title, credit=credit, caption=caption, collection_id=collection_id
    )


def new_placeholder_image(
    *, title: str, credit: str, caption: str = "", collection_id: int | None = None
) -> CustomImage:
    """A new placeholder image (the caller knows there is none with this title yet)."""
    # A source may name a picture without crediting it: the card then names no one.
    credited = f", credited to {credit}," if credit else ""
    lines = (
        "Placeholder image",
        *wrap(f"The original picture{credited}", 48),
        "is not available.",
    )
    # The card is stored first and the image made with its name and its known size: assigning
    # a new file would have Django decode the picture twice to learn the size it was drawn at.
    field = CustomImage._meta.get_field("file")
    in_collection = {"collection_id": collection_id} if collection_id is not None else {}
    name = field.generate_filename(CustomImage(**in_collection), "placeholder.png")
    stored = field.storage.save(name, ContentFile(_draw_card(lines)), max_length=field.max_length)
    image = CustomImage(
        title=title[:255],
        credit=credit,
        caption=caption,
        is_placeholder=True,
        description=f"Placeholder image: the original picture{credited} is not available",
        file=stored,
        width=WIDTH,
        height=HEIGHT,
        **in_collection,
    )
    image.save()
    return image
