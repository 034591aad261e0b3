"""Reads of comments as chainable QuerySet verbs:

Comment.objects.published().on(article).threads().featured_first()
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save

from gazette.core.prepared import prepared_cursor

if TYPE_CHECKING:
    from gazette.news.models import ArticlePage

    from .models import Comment


class CommentQuerySet(models.QuerySet):
    def published(self) -> CommentQuerySet:
        return self.filter(status="published")

    def pending(self) -> CommentQuerySet:
        return self.filter(status="pending")

    def on(self, article: ArticlePage) -> CommentQuerySet:
        return self.filter(article=article)

    def threads(self) -> CommentQuerySet:
        """Comments that start a thread: not replies."""
        return self.filter(parent__isnull=True)

    def replies_to(self, thread_ids: Iterable[int]) -> CommentQuerySet:
        return self.filter(parent_id__in=list(thread_ids))

    def shown(self) -> CommentQuerySet:
        """What readers see: published comments, and published replies under a published
        comment (a reply goes with its thread when a moderator takes the thread down)."""
        return self.published().filter(Q(parent__isnull=True) | Q(parent__status="published"))

    def shown_count(self, article_id: int) -> int:
        """``self.shown().on(article).count()`` (on the whole table, whatever ``self`` is),
        as one fixed statement: the answer to every post with JavaScript gives the count, and
        building that query through the ORM cost more CPU than the database's work."""
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(_shown_count_statement(connection, self.model), [article_id])
            return cursor.fetchone()[0]

    def insert(
        self,
        comment: Comment,
        *,
        unless_posted_since: datetime | None = None,
        count_shown: bool = False,
    ):
        """``comment.save()`` for a new comment, as one fixed INSERT: building the statement
        through the ORM cost a post more CPU than the database's write (0.34 against 0.06 ms
        in one process). The same columns and values, the same signals (the list's version
        follows ``post_save``); the ORM's save where the database cannot return the id.

        ``unless_posted_since``: write it only if no comment with its fingerprint was posted
        since then (``posted_since``), in the same statement: the repeat check and the INSERT
        of a post in one round trip. Returns None when there was such a comment (nothing
        written, no ``post_save``; ``pre_save`` was sent, as for a ``save()`` that failed);
        the caller decides what a repeat becomes.

        ``count_shown``: on PostgreSQL, the same statement also counts the comments readers
        now see on the article (``shown_count``), kept as ``comment.shown_count_with_it``
        (the answer to a post with JavaScript gives it); elsewhere nothing is kept."""
        model = self.model
        using = router.db_for_write(model, instance=comment)
        connection = connections[using]
        repeat_check = unless_posted_since is not None
        if not connection.features.can_return_columns_from_insert:
            if repeat_check and self.db_manager(using).posted_since(
                comment.fingerprint, unless_posted_since
            ):
                return None
            comment.save(force_insert=True, using=using)
            return comment
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        pre_save.send(sender=model, instance=comment, raw=False, using=using, update_fields=None)
        values = [f.get_db_prep_save(f.pre_save(comment, True), connection) for f in fields]
        if repeat_check:
            since = connection.ops.adapt_datetimefield_value(unless_posted_since)
            values += [comment.fingerprint, since]
        counted = count_shown and connection.vendor == "postgresql"
        statement = _post_statement(connection, model, repeat_check, counted)
        if counted:
            values.append(comment.article_id)
        with prepared_cursor(connection) as cursor:
            cursor.execute(statement, values)
            row = cursor.fetchone()
        if row is None:
            return None
        comment.pk = row[0]
        if counted:
            thread = comment.parent
            shown = comment.status == "published" and (
                thread is None or thread.status == "published"
            )
            comment.shown_count_with_it = row[1] + shown
        comment._state.adding, comment._state.db = False, using
        post_save.send(
            sender=model, instance=comment, created=True, raw=False, using=using, update_fields=None
        )
        return comment

    def posted_since(self, fingerprint: str, since: datetime) -> bool:
        """``self.filter(fingerprint=fingerprint, created_at__gte=since).exists()`` (on the
        whole table, whatever ``self`` is), as one fixed statement: the repeat check of every
        post, where building the query through the ORM cost more CPU than the index lookup."""
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE fingerprint = %s AND created_at >= %s LIMIT 1",  # noqa: S608 - the table's own name
                [fingerprint, connection.ops.adapt_datetimefield_value(since)],
            )
            return cursor.fetchone() is not None

    def oldest_first(self) -> CommentQuerySet:
        return self.order_by("created_at", "pk")

    def featured_first(self) -> CommentQuerySet:
        """Featured comments first, then the rest; oldest first within each."""
        return self.order_by("-is_featured", "created_at", "pk")

    def before_in_thread_order(self, comment: Comment) -> CommentQuerySet:
        """The comments ``featured_first()`` puts before ``comment``."""
        same_rank = Q(is_featured=comment.is_featured) & (
            Q(created_at__lt=comment.created_at)
            | Q(created_at=comment.created_at, pk__lt=comment.pk)
        )
        if comment.is_featured:
            return self.filter(same_rank)
        return self.filter(Q(is_featured=True) | same_rank)

    def for_display(self) -> CommentQuerySet:
        """Only what a reader sees: never the e-mail or the client hash."""
        return self.only(
            "pk", "article_id", "parent_id", "author_name", "text", "created_at", "is_featured"
        )


# The admin shows the count on every page (menu, dashboard, queue): one COUNT on the
# (status, created_at) index at most every PENDING_COUNT_SECONDS, forgotten as soon as a
# comment is held or decided.
PENDING_COUNT_KEY = "comments:pending-count"
PENDING_COUNT_SECONDS = 30


def pending_count() -> int:
    """How many comments wait for a moderator: no query on a warm cache, one COUNT otherwise."""
    from .models import Comment

    count = cache.get(PENDING_COUNT_KEY)
    if count is None:
        count = Comment.objects.pending().count()
        cache.set(PENDING_COUNT_KEY, count, PENDING_COUNT_SECONDS)
    return count


def forget_pending_count() -> None:
    """A comment was held or decided: the next count is read again, now and once committed
    (a count read by another process before the commit would still hold the old number)."""
    cache.delete(PENDING_COUNT_KEY)
    transaction.on_commit(lambda: cache.delete(PENDING_COUNT_KEY))


def _shown_count_statement(connection, model) -> str:
    """``shown().on(article).count()``, the article's id its one parameter."""
    table = connection.ops.quote_name(model._meta.db_table)
    return (
        f"SELECT COUNT(*) FROM {table} c LEFT JOIN {table} p ON c.parent_id = p.id "  # noqa: S608 - the table's own name
        "WHERE c.article_id = %s AND c.status = 'published' "
        "AND (c.parent_id IS NULL OR p.status = 'published')"
    )


_post_statements: dict[tuple, str] = {}


def _post_statement(connection, model, unless_posted_since: bool, counted: bool) -> str:
    """The INSERT of ``insert`` (every concrete field but the key), made once per backend and
    shape: the same text every post."""
    key = (connection.vendor, model, unless_posted_since, counted)
    statement = _post_statements.get(key)
    if statement is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        statement = _insert_statement(connection, model, fields, unless_posted_since)
        if counted:
            # PostgreSQL runs an INSERT inside a WITH; the count beside it sees the table as
            # it was before the INSERT (one snapshot), so the new comment is added to it.
            pk = connection.ops.quote_name(model._meta.pk.column)
            count = _shown_count_statement(connection, model)
            statement = f"WITH new AS ({statement}) SELECT {pk}, ({count}) FROM new"  # noqa: S608
        statement = _post_statements.setdefault(key, statement)
    return statement


def _insert_statement(connection, model, fields, unless_posted_since: bool = False) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    returning = f"RETURNING {quote(model._meta.pk.column)}"
    fingerprint, created_at = (
        quote(model._meta.get_field(name).column) for name in ("fingerprint", "created_at")
    )
    if not unless_posted_since:
        slots = ", ".join(["%s"] * len(fields))
        return f"INSERT INTO {table} ({columns}) VALUES ({slots}) {returning}"  # noqa: S608 - the model's own names
    # A SELECT's values have no column to take their type from: PostgreSQL is told each
    # column's (SQLite's CAST would change what it stores: a date's text to a number).
    if connection.vendor == "postgresql":
        slots = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
    else:
        slots = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {table} ({columns}) SELECT {slots} "  # noqa: S608 - the model's own names
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {fingerprint} = %s "
        f"AND {created_at} >= %s) {returning}"
    )
