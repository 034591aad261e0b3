from django_tasks import task

from .renditions import generate_renditions


@task()
def generate_article_renditions(article_id: int) -> None:
    """Make the renditions an article's pages will ask for, so that rendering never writes."""
    from .models import ArticlePage

    article = ArticlePage.objects.filter(pk=article_id).select_related("lead_image").first()
    if article is not None:
        generate_renditions(article)
