"""Renditions are made when an article is published, so rendering a page never writes."""

from gazette.images.models import CustomImage

from .queries import ARTICLE_RENDITIONS, TEASER_RENDITIONS


def article_images(article) -> list[CustomImage]:
    images = [article.lead_image] if article.lead_image_id else []
    for block in article.body:
        if block.block_type == "image" and block.value.get("image") is not None:
            images.append(block.value["image"])
    return images


def generate_renditions(article) -> None:
    for image in article_images(article):
        image.get_renditions(*ARTICLE_RENDITIONS, *TEASER_RENDITIONS)


def _queue_renditions(sender, article, **kwargs) -> None:
    from .tasks import generate_article_renditions

    generate_article_renditions.enqueue(article.pk)


def subscribe() -> None:
    from .lifecycle import article_published

    article_published.connect(_queue_renditions, dispatch_uid="news-renditions")
