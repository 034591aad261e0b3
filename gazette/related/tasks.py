from django_tasks import task


@task()
def refresh_related_articles(article_id: int) -> None:
    """Recompute the similar articles around one article. Keyed by the article's id and
    idempotent: a worker may run it late, twice or after a newer run, and the lists it stores
    always follow the articles as they are when it runs."""
    from .services import refresh_related

    refresh_related(article_id=article_id)


@task()
def rebuild_related_articles() -> None:
    """Recompute every vector and every list: after a bulk run published many articles at
    once (cheaper than one refresh each, and what the nightly rebuild would give)."""
    from .services import rebuild_related

    rebuild_related()
