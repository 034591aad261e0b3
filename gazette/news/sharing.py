"""What a story shows where it is linked from: a search engine's result and a social card.
One definition each, read by the metadata of the page (gazette.distribution) and by the
editor's preview of both (``editing.SharePreviewPanel``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gazette.images.models import CustomImage

    from .models import ArticlePage

# Where search engines and social networks usually cut, for the preview only.
SEARCH_TITLE_CHARS = 60
SEARCH_DESCRIPTION_CHARS = 160
SOCIAL_DESCRIPTION_CHARS = 200


def search_title(article: ArticlePage) -> str:
    return article.seo_title or article.title


def description(article: ArticlePage) -> str:
    """What search engines and cards show under the title, when no override says otherwise."""
    return article.search_description or article.standfirst or article.title


def social_title(article: ArticlePage) -> str:
    return article.social_title or article.title


def social_description(article: ArticlePage) -> str:
    return article.social_description or description(article)


def social_image(article: ArticlePage) -> CustomImage | None:
    return article.social_image or article.lead_image


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
