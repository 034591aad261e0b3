"""The checks an article meets before it is published, and the message each failure gives
the editor. Each reads the article as the editor is about to publish it (in memory, with its
authors and body as the form left them), never the live page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gazette.core.wording import count_of
from gazette.news.models import ArticlePage, SectionPage
from gazette.news.text import body_blocks

from .links import bad_links
from .models import Mode, PublishingChecks

# Every check, with what it asks for: the order editors read them in.
CHECKS = {
    "lead_image": "The lead image has alt text and a credit",
    "body_images": "Every picture in the body has alt text and a credit",
    "byline": "At least one author",
    "section": "In a section",
    "headline_length": "The headline is within the newsroom's lengths",
    "standfirst_length": "The standfirst is within the newsroom's lengths",
    "links": "No link to a draft, the admin or localhost",
}


@dataclass(frozen=True)
class Failure:
    check: str
    message: str
    blocks: bool

    @property
    def label(self) -> str:
        return CHECKS[self.check]


def failures(article: ArticlePage, checks: PublishingChecks) -> list[Failure]:
    """What ``article`` fails of the checks that are on, in the order of ``CHECKS``."""
    found = []
    for check, run in RUNS.items():
        mode = checks.mode_of(check)
        if mode == Mode.OFF:
            continue
        found += [Failure(check, message, mode == Mode.BLOCK) for message in run(article, checks)]
    return found


def blocking(found: list[Failure]) -> list[Failure]:
    return [failure for failure in found if failure.blocks]


def _missing(image) -> list[str]:
    missing = []
    if not (image.description or "").strip():
        missing.append("alt text (its description)")
    if not (image.credit or "").strip():
        missing.append("credit")
    return missing


def _lead_image(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    image = article.lead_image
    if image is None or not (missing := _missing(image)):
        return []
    return [f"The lead image “{image.title}” has no {' and no '.join(missing)}: add it in Images."]


def _body_images(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    from gazette.images.models import CustomImage

    ids = [
        block["value"].get("image")
        for block in body_blocks(article.body)
        if block.get("type") == "image" and isinstance(block.get("value"), dict)
    ]
    images = CustomImage.objects.in_bulk([pk for pk in ids if pk]) if any(ids) else {}
    messages = []
    for number, pk in enumerate(ids, start=1):
        image = images.get(pk)
        if image is None:
            messages.append(f"Picture {number} of the body has no image chosen.")
        elif missing := _missing(image):
            messages.append(
                f"Picture {number} of the body, “{image.title}”, has no "
                f"{' and no '.join(missing)}: add it in Images."
            )
    return messages


def _byline(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    if any(item.author_id for item in article.article_authors.all()):
        return []
    return ["No author: add one under Authors."]


def _section(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    parent = article.get_parent() if article.path else None
    if parent is not None and issubclass(parent.specific_class or type(parent), SectionPage):
        return []
    return ["The story is not in a section: move it under one."]


def _length(name: str, text: str, low: int, high: int) -> list[str]:
    length = len(text.strip())
    long = count_of(length, "character", "characters")
    if length > high:
        return [f"The {name} is {long} long; the newsroom's limit is {high:,}."]
    if length < low:
        if length == 0:
            least = count_of(low, "character", "characters")
            return [f"There is no {name}: write one of {least} at least."]
        return [f"The {name} is {long} long; it needs {low:,} at least."]
    return []


def _headline_length(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    return _length("headline", article.title or "", checks.headline_min, checks.headline_max)


def _standfirst_length(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    return _length(
        "standfirst", article.standfirst or "", checks.standfirst_min, checks.standfirst_max
    )


_LINK_MESSAGES = {
    "draft": "The body links to “{}”, a page that is not live: readers would get an error.",
    "missing": "The body links to {}.",
    "admin": "The body links to the admin, which readers cannot open: {}",
    "local": "The body links to localhost, the editor's own computer: {}",
}


def _links(article: ArticlePage, checks: PublishingChecks) -> list[str]:
    return [_LINK_MESSAGES[bad.kind].format(bad.shown_as) for bad in bad_links(article.body)]


RUNS: dict[str, Callable[[ArticlePage, PublishingChecks], list[str]]] = {
    "lead_image": _lead_image,
    "body_images": _body_images,
    "byline": _byline,
    "section": _section,
    "headline_length": _headline_length,
    "standfirst_length": _standfirst_length,
    "links": _links,
}
