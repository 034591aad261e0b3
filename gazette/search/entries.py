"""Keeping site search's narrow table (models.ArticleSearchEntry) in step, on PostgreSQL.

An article has a row while it is searchable (live and public, as ``queries.filtered_articles``
without filters says); its words are weighted headline A, standfirst B, body text C (see
``_vector_sql``). A
refresh re-reads the articles from the database and rewrites or removes their rows, so it
is right whatever changed (an edit, a publish, an unpublish, a move, a view restriction).
Rows are written in the caller's transaction, as Wagtail writes its own index: a change and
its entry commit (or roll back) together. On SQLite every function here does nothing.

The words are stemmed by PostgreSQL in the language of the article's edition
(``text_search_config``: 'english' for an English article, 'simple' for a language PostgreSQL
has no stemmer for, such as Korean), the configuration a search of that edition uses too;
one ``INSERT ... SELECT`` per batch of articles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from wagtail.models import Page

from gazette.core import compat, editions
from gazette.news.models import ArticlePage
from gazette.news.text import body_text

from .models import ArticleSearchEntry

BATCH_SIZE = 1000


def enabled() -> bool:
    return ArticleSearchEntry._meta.can_migrate(connection)


# PostgreSQL's stemming configurations (Snowball) by language code. A language missing here,
# or from the database, is searched with 'simple': whole words, lower-cased, no stemming
# (Korean, Japanese, Chinese...), which still finds a word as it was written.
STEMMING_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
FALLBACK_CONFIG = "simple"


def _installed_configs() -> frozenset[str]:
    """The database's text search configurations (asked once per connection)."""
    cached = getattr(connection, "_site_search_ts_configs", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config")
            cached = frozenset(row[0] for row in cursor.fetchall())
        connection._site_search_ts_configs = cached
    return cached


def text_search_config(language_code: str | None = None) -> str:
    """The text search configuration of a language (its edition's entries and searches):
    for the site's own language, Wagtail's backend's when it names one; else PostgreSQL's
    stemmer of that language when the database has it; else 'simple'. Named, so that
    entries and queries stem alike."""
    language = editions.content_language(language_code or settings.LANGUAGE_CODE)
    if language == editions.default_language():
        config = getattr(compat.search_backend(), "config", None)
        if config:
            return config
    config = STEMMING_CONFIGS.get(language.split("-")[0])
    return config if config in _installed_configs() else FALLBACK_CONFIG


def locale_config(locale_id: int | None) -> str:
    """The text search configuration of a Locale's language (the site's own for None)."""
    language = next((c for c, pk in editions.locale_ids().items() if pk == locale_id), None)
    return text_search_config(language)


def searchable_articles():
    from .queries import SearchFilters, filtered_articles

    return filtered_articles(SearchFilters())


def _vector_sql() -> str:
    """The tsvector of the row ``a``, in its own configuration (``a.config``): headline
    (weight A) and standfirst (B) with their positions; the body's words without them
    (``strip``). A body's positions were two thirds of the row (1.5 kB of an article's 2 kB
    at 100,000 articles); without them the table fits PostgreSQL's buffer cache and a common
    word's matches are read from it. A body word then counts once, whatever its frequency,
    at the weight queries.py gives position-less words (that of C)."""
    config = "a.config::regconfig, "
    headline = f"setweight(to_tsvector({config}coalesce(a.title, '')), 'A')"
    standfirst = f"setweight(to_tsvector({config}coalesce(a.standfirst, '')), 'B')"
    body = f"strip(to_tsvector({config}coalesce(a.body, '')))"
    return f"{headline} || {standfirst} || {body}"


def _write(rows: list[tuple]) -> None:
    """Insert or rewrite the entries of ``rows`` (id, section id, locale id, published,
    text search configuration, title, standfirst, body text): one statement."""
    if not rows:
        return
    table = ArticleSearchEntry._meta.db_table
    columns = list(zip(*rows, strict=True))
    # Table and column names only in the text; every value is a parameter.
    sql = (
        f"INSERT INTO {table} "  # noqa: S608
        "(article_id, section_id, locale_id, first_published_at, search_vector) "
        f"SELECT a.id, a.section_id, a.locale_id, a.published, {_vector_sql()} "
        "FROM unnest(%s::integer[], %s::integer[], %s::integer[], %s::timestamptz[], "
        "%s::text[], %s::text[], %s::text[], %s::text[]) "
        "AS a(id, section_id, locale_id, published, config, title, standfirst, body) "
        "ON CONFLICT (article_id) DO UPDATE SET section_id = EXCLUDED.section_id, "
        "locale_id = EXCLUDED.locale_id, "
        "first_published_at = EXCLUDED.first_published_at, "
        "search_vector = EXCLUDED.search_vector"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in columns])


def _rows(articles) -> Iterable[tuple]:
    fields = ("pk", "section_id", "locale_id", "first_published_at", "title", "standfirst", "body")
    configs: dict[int, str] = {}
    for pk, section_id, locale_id, published, title, standfirst, body in articles.values_list(
        *fields
    ).iterator(chunk_size=BATCH_SIZE):
        if locale_id not in configs:
            configs[locale_id] = locale_config(locale_id)
        config = configs[locale_id]
        yield pk, section_id, locale_id, published, config, title, standfirst or "", body_text(body)


def _write_all(articles, on_batch: Callable[[int], None] | None = None):
    batch = []
    # Oldest first, as the site publishes them: the table's rows then lie in the order of its
    # newest-first index, which a search reads.
    for row in _rows(articles.order_by("first_published_at", "pk")):
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            _write(batch)
            if on_batch:
                on_batch(len(batch))
            batch = []
    _write(batch)
    if on_batch and batch:
        on_batch(len(batch))


def refresh_entries(article_ids: Iterable[int]) -> None:
    """Rewrite the entries of these articles, or remove them where the article is no
    longer searchable (or no longer exists)."""
    ids = list(article_ids)
    if not ids or not enabled():
        return
    ArticleSearchEntry.objects.filter(article_id__in=ids).delete()
    _write_all(searchable_articles().filter(pk__in=ids))


def refresh_subtree(page_id: int) -> None:
    """Rewrite the entries of every article at or under this page (a section moved, a
    view restriction set or lifted)."""
    if not enabled():
        return
    path = Page.objects.filter(pk=page_id).values_list("path", flat=True).first()
    if path is None:
        return
    under = ArticlePage.objects.filter(path__startswith=path)
    ArticleSearchEntry.objects.filter(article_id__in=under.values("pk")).delete()
    _write_all(searchable_articles().filter(path__startswith=path))


@dataclass(frozen=True)
class Rebuilt:
    written: int
    removed: int


def rebuild_entries(*, on_progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Write the entry of every searchable article, in batches (each its own statement,
    so readers keep searching meanwhile), then remove the entries of the others."""
    if not enabled():
        return Rebuilt(written=0, removed=0)
    articles = searchable_articles()
    total = articles.count()
    done = 0

    def on_batch(size: int) -> None:
        nonlocal done
        done += size
        if on_progress:
            on_progress(done, total)

    if on_progress:
        on_progress(0, total)
    _write_all(articles, on_batch)
    removed, _ = ArticleSearchEntry.objects.exclude(article_id__in=articles.values("pk")).delete()
    return Rebuilt(written=done, removed=removed)
