"""The corrections page and its feeds show notes of any story: news purges them with every
story it purges (``urls_showing_article``). Asking which stories have notes would cost a query
per purge for three URLs; a note published or withdrawn always comes with its story's publish."""

from __future__ import annotations

from django.urls import reverse

from gazette.news.purge import urls_showing_article


def _urls_showing_article(sender, article, **kwargs) -> list[str]:
    return [reverse(name) for name in ("corrections:page", "corrections:rss", "corrections:atom")]


def subscribe() -> None:
    urls_showing_article.connect(_urls_showing_article, dispatch_uid="corrections")
