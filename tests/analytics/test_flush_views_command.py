"""`manage.py flush_views`: one flush, or the worker's loop."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gazette.analytics.models import TotalViews
from gazette.analytics.services import record_beacon
from tests.factories import ArticleFactory, SectionFactory

from .common import reader

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(
    not settings.GAZETTE_VIEWS_REDIS_URL, reason="the worker flushes Redis: needs REDIS_URL"
)


@pytest.fixture
def article(home):
    return ArticleFactory(parent=SectionFactory(parent=home))


@needs_redis
def test_one_flush_writes_what_readers_counted(article, capsys):
    for number in range(3):
        record_beacon(article_id=article.pk, meta=reader(number))
    call_command("flush_views")
    assert capsys.readouterr().out.strip() == "Flushed 3 views."
    assert TotalViews.objects.get(article=article).views == 3


def test_without_redis_each_app_process_flushes_its_own_views(settings, capsys):
    settings.GAZETTE_VIEWS_REDIS_URL = ""
    call_command("flush_views", "--loop")  # returns at once: nothing to do from here
    assert "Nothing to flush from this one" in capsys.readouterr().out


@pytest.mark.parametrize("interval", ["0", "-1", "61"])
def test_a_bad_interval_is_refused_with_a_clear_message(interval):
    with pytest.raises(CommandError, match="--interval must be more than 0"):
        call_command("flush_views", "--loop", "--interval", interval)
