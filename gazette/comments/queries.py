"""Reads of comments as chainable QuerySet verbs:

Comment.objects.published().on(article).oldest_first()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from gazette.news.models import ArticlePage


class CommentQuerySet(models.QuerySet):
    def published(self) -> CommentQuerySet:
        return self.filter(status="published")

    def pending(self) -> CommentQuerySet:
        return self.filter(status="pending")

    def on(self, article: ArticlePage) -> CommentQuerySet:
        return self.filter(article=article)

    def oldest_first(self) -> CommentQuerySet:
        return self.order_by("created_at", "pk")

    def for_display(self) -> CommentQuerySet:
        """Only what a reader sees: never the e-mail or the client hash."""
        return self.only("pk", "article_id", "author_name", "text", "created_at")
