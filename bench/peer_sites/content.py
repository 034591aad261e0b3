"""The content every platform serves: the reference article of the seed (headline, byline, two
credited images, the body, its two comments, the section's latest stories) and generated posts.

Plain data, written as JSON for each platform's seed script, so that every platform gets the
same words in the same sections at the same times.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random

from gazette.demo.synthetic import text
from gazette.importers.sources.textdump import decode_textdump, parse_textdump

REPOSITORY = Path(__file__).resolve().parents[2]
SEED = REPOSITORY.parent / "shared" / "seed" / "000_9d8990e26df27fda.txt"
# The generated posts' bylines: a newsroom's worth of reporters.
AUTHORS = 40


@dataclass
class Post:
    slug: str
    headline: str
    section: str
    author: str
    email: str
    paragraphs: list[str]
    published: str  # ISO 8601, UTC
    lead_credit: str | None = None
    # (credit, after which paragraph, 1-based) of each picture in the body
    images: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """The seed article and the headlines its page listed as the section's latest stories
    (published just before it, newest first, as Gazette's importer does)."""

    article: Post
    latest: list[Post]

    def posts(self) -> list[Post]:
        return [*reversed(self.latest), self.article]


def slugify(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:80] or "story"


def reference(now: datetime, path: Path = SEED) -> Reference:
    parsed = parse_textdump(decode_textdump(path.read_bytes()))
    article = Post(
        slug=slugify(parsed.headline),
        headline=parsed.headline,
        section=parsed.section,
        author=parsed.author_name,
        email=parsed.author_email or "",
        paragraphs=list(parsed.paragraphs),
        published=now.isoformat(),
        lead_credit=parsed.lead_image_credit,
        images=[(i.credit, i.after_paragraph) for i in parsed.inline_images],
        comments=list(parsed.comments),
    )
    latest = [
        Post(
            slug=slugify(teaser.headline),
            headline=teaser.headline,
            section=teaser.section,
            author=parsed.author_name,
            email=parsed.author_email or "",
            paragraphs=[],
            published=(now - timedelta(minutes=offset)).isoformat(),
        )
        for offset, teaser in enumerate(parsed.latest_stories, start=1)
    ]
    return Reference(article=article, latest=latest)


def generated(start: int, stop: int, *, now: datetime, seed: int = 2024) -> list[Post]:
    """Posts number ``start`` to ``stop - 1``: news-like copy (gazette.demo's vocabulary) in
    its twelve sections, one every 7 minutes back from an hour before ``now``. Post n is the
    same whatever batch it is made in."""
    reporters = Random(seed)
    names = [
        f"{reporters.choice(text.READER_FIRST_NAMES)} {reporters.choice(text.READER_LAST_NAMES)}"
        for _ in range(AUTHORS)
    ]
    posts = []
    for number in range(start, stop):
        rng = Random(f"{seed}-{number}")
        section, topic = text.SECTIONS[number % len(text.SECTIONS)]
        headline = text.headline(rng, topic)
        author = names[number % AUTHORS]
        posts.append(
            Post(
                slug=f"{slugify(headline)[:60]}-{number}",
                headline=headline,
                section=section,
                author=author,
                email=f"{slugify(author)}@newsroom.example",
                paragraphs=[text.paragraph(rng, topic) for _ in range(rng.randint(6, 14))],
                published=(now - timedelta(hours=1, minutes=7 * number)).isoformat(),
            )
        )
    return posts


def write_jsonl(posts: list[Post], path: Path) -> Path:
    with path.open("w") as file:
        for post in posts:
            file.write(json.dumps(asdict(post)) + "\n")
    return path


def pictures(folder: Path) -> tuple[Path, Path]:
    """The reference article's lead and body pictures: two photo-sized JPEGs (a gradient
    with shapes, about 100-200 KB), made here so that nothing is downloaded."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, name in enumerate(("lead.jpg", "body.jpg")):
        rng = Random(f"picture-{number}")
        image = Image.new("RGB", (1600, 1000))
        draw = ImageDraw.Draw(image)
        top, bottom = (
            [rng.randint(40, 220) for _ in range(3)],
            [rng.randint(0, 120) for _ in range(3)],
        )
        for y in range(1000):
            mix = y / 999
            colour = tuple(int(t + (b - t) * mix) for t, b in zip(top, bottom, strict=True))
            draw.line([(0, y), (1599, y)], fill=colour)
        for _ in range(60):
            x, y = rng.randint(0, 1500), rng.randint(300, 950)
            grey = rng.randint(20, 200)
            draw.rectangle([x, y, x + rng.randint(20, 140), 1000], fill=(grey, grey, grey + 10))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        path = folder / name
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths[0], paths[1]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
