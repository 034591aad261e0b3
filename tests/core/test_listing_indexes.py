"""Every listing query is answered from an index on PostgreSQL (EXPLAIN, FORMAT JSON).

The newsroom below has thousands of articles, most in other sections, by other authors and
in other lists, made in bulk by SQL (copies of a real article's rows: cheap, and whatever
columns the models gain). With statistics like that the planner picks an index only where
one serves the query; a listing without one scans its table and the test fails.
"""

import importlib
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gazette.news.models import ArticlePage, must_reads
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, make_curated_list

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="EXPLAIN plans are PostgreSQL's; this runs in the PostgreSQL run of make test",
    ),
]

BULK = 6000  # articles in the other sections, lists and bylines
LISTS = 1000  # other curated lists


def plan_nodes(queryset) -> list[dict]:
    """Every node of the plan PostgreSQL chooses for ``queryset``."""
    nodes, stack = [], [json.loads(queryset.explain(format="json"))[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def indexes_used(nodes) -> set[str]:
    return {node["Index Name"] for node in nodes if "Index Name" in node}


# Tables that grow with the archive. Sections, lists and images stay small: scanning those
# whole is what the planner should do.
GROWING = {"wagtailcore_page", "news_articlepage", "news_articleauthor", "news_curatedlistitem"}


def seq_scanned(nodes) -> set[str]:
    """Growing tables the plan reads whole."""
    scanned = {node["Relation Name"] for node in nodes if node["Node Type"] == "Seq Scan"}
    return scanned & GROWING


def index_names(table: str, column: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%({column}%"],
        )
        return {row[0] for row in cursor.fetchall()}


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def copy_rows(cursor, table: str, source: str, overrides: dict[str, str]) -> None:
    """INSERT INTO table SELECT every column as in ``source`` except the overridden ones."""
    names = [name for name in columns(table) if overrides.get(name, "") is not None]
    values = [overrides.get(name, f"t.{name}") for name in names]
    # Our own table and column names, no parameters (so % is the modulo operator).
    target = f"{table} ({', '.join(names)})"
    cursor.execute(f"INSERT INTO {target} SELECT {', '.join(values)} FROM {source}")  # noqa: S608


def bulk_articles(template: ArticlePage, sections: list, curated_list_id: int, author_id: int):
    """BULK live-and-not articles like ``template``, children of ``sections`` in turn (as in
    Wagtail's tree: the section's path and a step of 4 characters), by one author, in LISTS
    curated lists like the one with ``curated_list_id`` (a few items each)."""
    section_paths = ", ".join(f"'{section.path}'" for section in sections)
    with connection.cursor() as cursor:
        copy_rows(
            cursor,
            "wagtailcore_page",
            f"wagtailcore_page t, generate_series(1, {BULK}) g WHERE t.id = {template.pk}",
            {
                "id": None,  # the sequence numbers them
                "path": f"(ARRAY[{section_paths}])[1 + g % {len(sections)}] "
                "|| lpad(g::text, 4, '0')",
                "slug": "'bulk-' || g",
                "url_path": "'/bulk/' || g || '/'",
                "title": "'Bulk story ' || g",
                "draft_title": "'Bulk story ' || g",
                "translation_key": "gen_random_uuid()",
                "live": "g % 10 <> 0",
                "first_published_at": "now() - g * interval '1 minute'",
            },
        )
        copy_rows(
            cursor,
            "news_articlepage",
            f"news_articlepage t, wagtailcore_page p WHERE t.page_ptr_id = {template.pk} "
            "AND p.slug LIKE 'bulk-%'",
            {
                "page_ptr_id": "p.id",
                "section_id": "(SELECT s.id FROM wagtailcore_page s "
                "WHERE s.path = SUBSTR(p.path, 1, LENGTH(p.path) - 4))",
                "source_key": "NULL",
            },
        )
        copy_rows(
            cursor,
            "news_curatedlist",
            f"news_curatedlist t, generate_series(1, {LISTS}) g WHERE t.id = {curated_list_id}",
            {"id": None, "name": "'List ' || g", "slug": "'list-' || g"},
        )
        cursor.execute(
            "INSERT INTO news_curatedlistitem (curated_list_id, article_id, sort_order) "
            "SELECT l.id, p.id, p.id FROM wagtailcore_page p "
            "JOIN news_curatedlist l ON l.slug = 'list-' || (1 + p.id %% %s) "
            "WHERE p.slug LIKE 'bulk-%%'",
            [LISTS],
        )
        cursor.execute(
            "INSERT INTO news_articleauthor (article_id, author_id, sort_order) "
            "SELECT p.id, %s, 0 FROM wagtailcore_page p WHERE p.slug LIKE 'bulk-%%'",
            [author_id],
        )
        cursor.execute("ANALYZE")


@pytest.fixture
def newsroom(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    busy = [SectionFactory(parent=home, title=f"Desk {n}", slug=f"desk-{n}") for n in range(3)]
    author = AuthorFactory(name="Daniel Kim", slug="daniel-kim")
    wire = AuthorFactory(name="Wire", slug="wire")
    stories = [ArticleFactory(parent=world) for _ in range(6)]
    ArticleFactory(parent=world, authors=[author])
    must_reads_list = make_curated_list("must-reads", stories[:5])
    bulk_articles(stories[0], busy, must_reads_list.pk, wire.pk)
    assert ArticlePage.objects.count() > BULK
    return {"world": world, "author": author, "desks": busy}


def test_newest_first_walks_the_live_newest_index_without_sorting(newsroom):
    query = ArticlePage.objects.live().public().newest_first().for_listing()[:6]
    nodes = plan_nodes(query)
    assert "gazette_page_live_newest_idx" in indexes_used(nodes)
    assert not seq_scanned(nodes)


def test_section_listing_uses_an_index_on_the_section(newsroom):
    query = (
        ArticlePage.objects.live()
        .public()
        .in_section(newsroom["world"])
        .newest_first()
        .for_listing()[:20]
    )
    nodes = plan_nodes(query)
    assert indexes_used(nodes) & index_names("news_articlepage", "section_id")
    assert not seq_scanned(nodes)


def test_author_listing_uses_an_index_on_the_author(newsroom):
    query = ArticlePage.objects.live().public().by_author(newsroom["author"]).newest_first()[:20]
    nodes = plan_nodes(query)
    assert indexes_used(nodes) & index_names("news_articleauthor", "author_id")
    assert not seq_scanned(nodes)


def test_must_reads_use_the_list_indexes(newsroom):
    nodes = plan_nodes(must_reads())
    used = indexes_used(nodes)
    assert used & index_names("news_curatedlistitem", "curated_list_id")
    assert not seq_scanned(nodes)


def test_home_page_lead_story_uses_the_live_newest_index(newsroom):
    query = ArticlePage.objects.live().public().with_body().newest_first().for_listing()[:1]
    assert "gazette_page_live_newest_idx" in indexes_used(plan_nodes(query))


# What a listing page may read of any table, in any step of any of its queries: a page of
# stories, the newest few of each section, the sections themselves. The newsroom's busy
# sections hold 2,000 articles each; ranking or counting them row by row reads far more.
ROWS_A_LISTING_MAY_READ = 200


def rows_read_by_page(client, url) -> dict[str, int]:
    """For every query of the page (on its second request, its cached parts emptied: the
    queries of a render), the most rows any step of its plan produced (EXPLAIN ANALYZE: actual
    rows times loops), by query."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    most = {}
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            (plan,) = cursor.fetchone()  # psycopg decodes the JSON
            nodes, stack = [], [plan[0]["Plan"]]
            while stack:
                node = stack.pop()
                nodes.append(node)
                stack.extend(node.get("Plans", []))
            most[query["sql"]] = max(n["Actual Rows"] * n["Actual Loops"] for n in nodes)
    return most


def test_home_page_reads_a_few_rows_of_each_section_not_the_archive(newsroom, client):
    for desk in newsroom["desks"]:
        assert desk.articles.count() >= BULK // 4
    most = rows_read_by_page(client, "/")
    assert max(most.values()) <= ROWS_A_LISTING_MAY_READ, most


def test_section_page_and_its_count_read_the_section_only(newsroom, client):
    most = rows_read_by_page(client, newsroom["world"].url)
    assert max(most.values()) <= ROWS_A_LISTING_MAY_READ, most
    (count,) = [sql for sql in most if sql.startswith("SELECT COUNT(*)")]
    assert "news_articlepage" not in count  # the page table's index alone


def test_small_section_listing_uses_the_parent_index(newsroom):
    # A third of the archive in one desk: walking the newest-first index and skipping the
    # other desks' stories is as good. A small section needs its own range of the index.
    world = newsroom["world"]
    query = ArticlePage.objects.live().public().listed_in(world).newest_first().for_listing()
    nodes = plan_nodes(query[:20])
    assert "gazette_page_live_parent_newest_idx" in indexes_used(nodes)
    assert not seq_scanned(nodes)


def test_the_index_exists_only_where_it_can(newsroom):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'gazette_page_live_newest_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "first_published_at DESC NULLS LAST" in definition
    assert "WHERE live" in definition


def test_the_parent_index_matches_the_listing_expression(newsroom):
    """The index serves a query only if its expression is the query's: ParentPath's SQL and
    migration 0003's must agree."""
    migration = importlib.import_module("gazette.core.migrations.0003_listing_parent_index")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE indexname = 'gazette_page_live_parent_newest_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "first_published_at DESC NULLS LAST" in definition and "WHERE live" in definition
    sql = str(ArticlePage.objects.listed_in(newsroom["world"]).query)
    assert migration.PARENT_PATH.replace("path", '"wagtailcore_page"."path"') in sql
