"""Renditions are made when an article is published, so rendering a page never writes."""

from gazette.images.models import CustomImage

from .queries import ARTICLE_RENDITIONS, TEASER_RENDITIONS

# Articles per task when a bulk run's publications are announced together.
BATCH = 500


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


def _queue_renditions_of_many(sender, article_ids, **kwargs) -> None:
    from .tasks import generate_renditions_of

    for start in range(0, len(article_ids), BATCH):
        generate_renditions_of.enqueue(article_ids[start : start + BATCH])


def subscribe() -> None:
    from .lifecycle import article_published, articles_published

    article_published.connect(_queue_renditions, dispatch_uid="news-renditions")
    articles_published.connect(_queue_renditions_of_many, dispatch_uid="news-renditions")
