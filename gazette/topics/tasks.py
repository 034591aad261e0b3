"""Background work of topics: purging what a rename or a merge changed."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_topic(tag_id: int, old_slugs: list[str], article_ids: list[int] | None = None) -> None:
    """Purge a renamed or merged topic's pages and feeds, at its old and new addresses, and
    the pages of its live stories (they link to it by name). ``article_ids``: the stories a
    merge moved; else those carrying the topic now."""
    from taggit.models import Tag
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Site

    from gazette.core.purge import purge_urls, purging_enabled
    from gazette.news.models import ArticlePage

    from .purge import topic_paths

    if not purging_enabled():
        return
    tag = Tag.objects.filter(pk=tag_id).first()
    slugs = [*old_slugs, *([tag.slug] if tag else [])]
    paths = topic_paths(slugs)
    batch = PurgeBatch()
    for site in Site.objects.all():
        batch.add_urls(site.root_url + path for path in paths)
    if article_ids is None:
        articles = ArticlePage.objects.live().tagged(tag_id=tag_id) if tag else []
    else:
        articles = ArticlePage.objects.live().filter(pk__in=article_ids)
    if articles:
        batch.add_pages(articles.defer_streamfields())
    purge_urls(sorted(batch.urls))
