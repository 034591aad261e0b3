"""Build a large, deterministic newsroom fast: bulk inserts that keep Wagtail's page tree valid.

Publishing 100k pages one by one through Wagtail takes hours; here pages are inserted in
batches with their tree paths computed as treebeard would (``fixtree`` finds no problem), and
the article rows are inserted beside them. Then readers' comments and the hourly view history
(``comments.py``, ``viewhistory.py``). Same seed and same ``now``, same newsroom.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from gazette.comments.models import CommentSettings
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.news.models import ArticleAuthor, ArticlePage, SectionPage
from gazette.news.queries import ARTICLE_RENDITIONS, TEASER_RENDITIONS
from gazette.people.models import Author

from .audience import numpy_rng, with_popularity
from .comments import generate_comments
from .pictures import synthetic_photo
from .text import SECTIONS, headline, paragraph
from .viewhistory import generate_view_history

BATCH = 2000
IMAGE_COUNT = 12
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farah",
    "Gita",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
]
LAST_NAMES = [
    "Kim",
    "Novak",
    "Okafor",
    "Rossi",
    "Silva",
    "Tanaka",
    "Dubois",
    "Haddad",
    "Ivanova",
    "Larsen",
    "Mehta",
    "Ortiz",
]

# (stage, items done since the last call, the stage's total items)
Progress = Callable[[str, int, int], None]
COMMENTS_PER_ARTICLE = 10  # the default number of comments
VIEW_DAYS = 30
# Independent random streams (numpy) of the stages after the articles.
POPULARITY_STREAM, COMMENTS_STREAM, VIEWS_STREAM = 1, 2, 3


@dataclass
class NewsroomStats:
    sections: int
    authors: int
    articles: int
    images: int
    comments: int = 0
    comments_by_status: dict[str, int] = field(default_factory=dict)
    view_rows: int = 0
    views: int = 0


def generate_newsroom(
    *,
    articles: int,
    authors: int = 2000,
    comments: int | None = 0,
    view_days: int = 0,
    seed: int = 2024,
    image_count: int = IMAGE_COUNT,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> NewsroomStats:
    """Add ``articles`` synthetic articles (and the sections, authors, images they need),
    ``comments`` comments on them (None: COMMENTS_PER_ARTICLE each on average) and
    ``view_days`` days of hourly views up to ``now`` (default: the current time).

    Articles are published over the year before ``now``, the newest at ``now``.
    """
    rng = Random(seed)
    now = now or timezone.now()
    report = progress or (lambda stage, count, total: None)
    home = ensure_home_page()
    sections = _sections(home)
    author_ids = _authors(authors, rng)
    images = _images(image_count)
    added = with_popularity(
        *_articles(articles, sections, author_ids, images, rng, report, now),
        numpy_rng(seed, POPULARITY_STREAM),
    )
    stats = NewsroomStats(len(sections), len(author_ids), articles, len(images))

    comments = articles * COMMENTS_PER_ARTICLE if comments is None else comments
    if comments > 0 and len(added):
        written = generate_comments(
            articles=added,
            count=comments,
            now=now,
            close_after_days=_close_after_days(),
            rng=Random(f"{seed}-comments"),
            np_rng=numpy_rng(seed, COMMENTS_STREAM),
            report=lambda count: report("comments", count, comments),
        )
        stats.comments, stats.comments_by_status = written.written, written.by_status
    if view_days > 0 and len(added):
        stats.view_rows, stats.views = generate_view_history(
            articles=added,
            now=now,
            days=view_days,
            rng=numpy_rng(seed, VIEWS_STREAM),
            report=lambda count: report("views", count, len(added)),
        )
    return stats


def _close_after_days() -> int:
    """The default site's setting: generated comments stop when real ones would."""
    site = Site.objects.filter(is_default_site=True).first()
    saved = CommentSettings.objects.filter(site=site).first() if site else None
    return (saved or CommentSettings()).close_after_days


def _sections(home) -> list[tuple[SectionPage, list[str]]]:
    sections = []
    for name, topic in SECTIONS:
        section = SectionPage.objects.child_of(home).filter(slug=slugify(name)).first()
        if section is None:
            section = home.add_child(
                instance=SectionPage(title=name, slug=slugify(name), show_in_menus=True)
            )
            section.save_revision().publish()
        sections.append((section, topic))
    return sections


def _authors(count: int, rng: Random) -> list[int]:
    existing = list(
        Author.objects.filter(slug__startswith="synthetic-").values_list("pk", flat=True)
    )
    missing = count - len(existing)
    if missing > 0:
        start = len(existing)
        Author.objects.bulk_create(
            Author(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                slug=f"synthetic-{number}",
                email=f"writer{number}@example.org",
                bio="Reports for the synthetic newsroom.",
            )
            for number in range(start, start + missing)
        )
    return list(
        Author.objects.filter(slug__startswith="synthetic-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:count]


def _images(count: int) -> list[CustomImage]:
    images = [synthetic_photo(number) for number in range(count)]
    for image in images:
        image.get_renditions(*ARTICLE_RENDITIONS, *TEASER_RENDITIONS)
    return images


def _body(rng: Random, topic: list[str], images: list[CustomImage]) -> str:
    blocks = [
        {
            "type": "paragraph",
            "value": f"<p>{paragraph(rng, topic)}</p>",
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
        }
        for _ in range(rng.randint(5, 9))
    ]
    if rng.random() < 0.5:
        image = rng.choice(images)
        blocks.insert(
            rng.randint(1, len(blocks) - 1),
            {
                "type": "image",
                "value": {"image": image.pk, "caption": ""},
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
            },
        )
    return json.dumps(blocks)


def _articles(
    count, sections, author_ids, images, rng: Random, report: Progress, now: datetime
) -> tuple[list[int], list[float], list[int]]:
    """Insert the articles; returns their ids, publication times and section numbers."""
    content_type = ContentType.objects.get_for_model(ArticlePage)
    locale = Locale.get_default()
    ids, published_at, section_numbers = [], [], []
    existing = ArticlePage.objects.count()
    # Publication times spread over the last year, newest last, so listings have real order.
    span = timedelta(days=365)
    next_step = {}
    for section, _ in sections:
        last = section.get_last_child()
        next_step[section.pk] = (Page._str2int(last.path[-Page.steplen :]) + 1) if last else 1
    done = 0
    report("articles", 0, count)
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            pages, rows, bylines = [], [], []
            for index in range(done, done + size):
                section, topic = sections[index % len(sections)]
                title = headline(rng, topic)
                # Numbered after the articles already there: a later run never repeats a slug.
                slug = f"{slugify(title)[:60]}-{existing + index}"
                published = now - span + span * (index + 1) / count
                step = next_step[section.pk]
                next_step[section.pk] += 1
                page = ArticlePage(
                    title=title,
                    draft_title=title,
                    slug=slug,
                    path=Page._get_path(section.path, section.depth + 1, step),
                    depth=section.depth + 1,
                    numchild=0,
                    url_path=f"{section.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    content_type=content_type,
                    locale=locale,
                    translation_key=uuid.UUID(int=rng.getrandbits(128)),
                    standfirst=paragraph(rng, topic)[:300],
                    section=section,
                    lead_image=rng.choice(images),
                    body=_body(rng, topic, images),
                )
                pages.append(page)
            # Insert the wagtailcore_page rows (ids come back), then the article rows.
            Page.objects.bulk_create(pages, batch_size=500)
            for index, page in enumerate(pages, start=done):
                # bulk_create set the parent row's id; the article row shares it.
                page.page_ptr_id = page.id
                ids.append(page.id)
                published_at.append(page.first_published_at.timestamp())
                section_numbers.append(index % len(sections))
                rows.append(page)
                bylines.append(
                    ArticleAuthor(
                        article_id=page.id, author_id=rng.choice(author_ids), sort_order=0
                    )
                )
            # bulk_create refuses multi-table models; _insert writes just the child table's columns.
            ArticlePage.objects._insert(
                rows, fields=ArticlePage._meta.local_concrete_fields, using="default"
            )
            ArticleAuthor.objects.bulk_create(bylines, batch_size=1000)
            for section, _ in sections:
                SectionPage.objects.filter(pk=section.pk).update(numchild=next_step[section.pk] - 1)
        done += size
        report("articles", size, count)
    return ids, published_at, section_numbers
