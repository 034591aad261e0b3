"""Articles as the similarity reads them: plain documents made from the stored rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gazette.news.models import ArticlePageTag
from gazette.news.text import body_text

from .similarity import Document

if TYPE_CHECKING:
    from gazette.news.queries import ArticlePageQuerySet


def documents_of(articles: ArticlePageQuerySet) -> Iterator[Document]:
    """The articles as documents, by id, streamed: two queries (tags, then rows)."""
    tags: dict[int, list[str]] = defaultdict(list)
    tagged = ArticlePageTag.objects.filter(content_object__in=articles.values("pk"))
    for article_id, name in tagged.values_list("content_object_id", "tag__name"):
        tags[article_id].append(name)
    rows = articles.order_by("pk").values_list(
        "pk", "title", "standfirst", "body", "section__title", "section__label"
    )
    for pk, title, standfirst, body, section_title, section_label in rows.iterator(chunk_size=2000):
        yield Document(
            pk=pk,
            headline=title,
            standfirst=standfirst or "",
            body=body_text(body),
            tags=tuple(tags.get(pk, ())),
            section=section_label or section_title or "",
        )
