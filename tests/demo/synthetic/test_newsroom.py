import pytest
from django.core.management import call_command

from gazette.demo.synthetic.newsroom import generate_newsroom
from gazette.news.models import ArticleAuthor, ArticlePage, SectionPage

pytestmark = pytest.mark.django_db


def test_generated_newsroom_keeps_the_page_tree_valid(home, client, capsys):
    stats = generate_newsroom(articles=150, authors=25, seed=7, image_count=2)
    assert (stats.sections, stats.authors, stats.articles) == (12, 25, 150)
    assert ArticlePage.objects.live().count() == 150
    assert ArticleAuthor.objects.count() == 150

    call_command("fixtree")
    report = capsys.readouterr().out
    assert report.count("No problems found.") == 2, report

    # A second run appends after the existing children without breaking the tree.
    generate_newsroom(articles=30, authors=25, seed=8, image_count=2)
    call_command("fixtree")
    assert capsys.readouterr().out.count("No problems found.") == 2
    assert ArticlePage.objects.count() == 180

    newest = ArticlePage.objects.live().newest_first().first()
    assert client.get(newest.url).status_code == 200
    section = SectionPage.objects.get(slug="technology")
    assert client.get(section.url).status_code == 200
    assert newest.section_id and newest.first_published_at
