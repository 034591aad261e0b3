"""The sections in every page's header: right ones, right order, and a query that does not
walk every article of the tree."""

import pytest
from django.db import connection
from wagtail.models import PageViewRestriction

from gazette.news.navigation import menu_sections
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_menu_lists_live_public_sections_in_tree_order(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    SectionFactory(parent=home, title="Sport", slug="sport")
    SectionFactory(parent=home, title="Hidden", slug="hidden", show_in_menus=False)
    members = SectionFactory(parent=home, title="Members", slug="members")
    PageViewRestriction.objects.create(page=members, restriction_type="login")
    draft = SectionFactory(parent=home, title="Draft", slug="draft")
    draft.unpublish()
    ArticleFactory(parent=world)
    assert [section.title for section in menu_sections(home)] == ["World", "Sport"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_on_sqlite_the_menu_query_starts_from_the_sections_not_the_page_tree(home):
    SectionFactory(parent=home, title="World", slug="world")
    sql, params = menu_sections(home).query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " / ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "SCAN wagtailcore_page" not in plan, plan
