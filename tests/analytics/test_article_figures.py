"""Issue 23: per-article figures in the editor: views in the last day and in total, a chart
by hour drawn on the server, the article's place in Popular Now."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gazette.analytics.counters import hour_of, hour_start
from gazette.analytics.models import HourlyViews, TotalViews
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_the_editor_shows_the_articles_views_chart_and_place(editor_client, home):
    section = SectionFactory(parent=home)
    leader, article = ArticleFactory(parent=section), ArticleFactory(parent=section)
    this_hour = hour_start(hour_of(timezone.now()))
    HourlyViews.objects.create(article=leader, hour=this_hour, views=90)
    HourlyViews.objects.create(article=article, hour=this_hour, views=1)
    HourlyViews.objects.create(article=article, hour=this_hour - timedelta(days=3), views=40)
    TotalViews.objects.create(article=article, views=41)

    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    html = html.decode()
    figures = html.split("Readers: views and Popular Now", 1)[1]
    assert "<dd>1 view</dd>" in figures  # the last 24 hours: the old views are out
    assert "<dd>41 views</dd>" in figures
    assert "2nd of 2" in figures
    assert "<svg" in figures and "<script" not in figures.split("</svg>")[0]


def test_a_new_article_has_no_figures_yet(editor_client, home):
    section = SectionFactory(parent=home)
    url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
    html = editor_client.get(url).content.decode()
    assert "Figures appear once the story is saved and read." in html


def test_an_article_out_of_popular_now_says_so(editor_client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, live=False, title="Unpublished")
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    figures = html.decode().split("Readers: views and Popular Now", 1)[1]
    assert "Not in the list" in figures and "<dd>0 views</dd>" in figures
