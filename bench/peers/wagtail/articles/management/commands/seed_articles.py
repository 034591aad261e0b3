"""The peers bench's content for plain Wagtail.

    manage.py seed_articles --reference site.json   the reference article, its pictures and
                                                    the section's latest stories (add_child)
    manage.py seed_articles --posts posts.jsonl     generated posts, written in bulk

The reference article goes through Wagtail's page API. Generated posts are written as Gazette's
generator writes its own (page rows with their tree paths in bulk, then the article rows): the
API takes tens of milliseconds a page, minutes for 10,000. They are live pages like any other
but not in the search index (nothing the bench measures searches).
"""

import json
import uuid
from datetime import datetime
from html import escape
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.utils.text import slugify
from wagtail.images.models import Image
from wagtail.models import Locale, Page

from articles.models import ArticlePage, SectionPage

BATCH = 1000


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--reference", type=Path)
        parser.add_argument("--posts", type=Path)

    def handle(self, *args, reference=None, posts=None, **options):
        self.home = Page.objects.get(depth=2).specific
        self.sections = {}
        if reference:
            site = json.loads(reference.read_text())
            lead, body = (self.picture(Path(p)) for p in site["pictures"])
            for teaser in reversed(site["reference"]["latest"]):
                self.add(teaser)
            article = self.add(site["reference"]["article"], lead=lead, picture=body)
            self.stdout.write(json.dumps({"url": article.url}))
        if posts:
            batch = []
            with posts.open() as lines:
                for line in lines:
                    if line.strip():
                        batch.append(json.loads(line))
                    if len(batch) == BATCH:
                        self.add_bulk(batch)
                        batch = []
            if batch:
                self.add_bulk(batch)

    def picture(self, path: Path) -> Image:
        with path.open("rb") as file:
            return Image.objects.create(title=path.stem, file=ImageFile(file, name=path.name))

    def section(self, name: str) -> SectionPage:
        if name not in self.sections:
            slug = slugify(name)
            found = SectionPage.objects.child_of(self.home).filter(slug=slug).first()
            self.sections[name] = found or self.home.add_child(
                instance=SectionPage(title=name, slug=slug)
            )
        return self.sections[name]

    @staticmethod
    def body(post: dict, picture: Image | None = None) -> list:
        images = {after: credit for credit, after in post["images"]}
        body = []
        for number, text in enumerate(post["paragraphs"], start=1):
            body.append(("paragraph", f"<p>{escape(text)}</p>"))
            if number in images and picture:
                body.append(("image", {"image": picture, "credit": images[number]}))
        return body

    def add(self, post: dict, lead: Image | None = None, picture: Image | None = None):
        published = datetime.fromisoformat(post["published"])
        page = ArticlePage(
            title=post["headline"],
            slug=post["slug"],
            author=post["author"],
            author_email=post["email"],
            lead_image=lead,
            lead_credit=post["lead_credit"] or "",
            body=self.body(post, picture),
            first_published_at=published,
            last_published_at=published,
        )
        return self.section(post["section"]).add_child(instance=page)

    @transaction.atomic
    def add_bulk(self, posts: list[dict]) -> None:
        content_type = ContentType.objects.get_for_model(ArticlePage)
        locale = Locale.get_default()
        pages, details = [], []
        added: dict[int, int] = {}  # section id -> pages added in this batch
        for post in posts:
            section = self.section(post["section"])
            if section.pk not in added:
                last = section.get_last_child()
                section.next_position = (last._get_lastpos_in_path() if last else 0) + 1
                added[section.pk] = 0
            position = section.next_position + added[section.pk]
            added[section.pk] += 1
            published = datetime.fromisoformat(post["published"])
            pages.append(
                Page(
                    path=Page._get_path(section.path, section.depth + 1, position),
                    depth=section.depth + 1,
                    numchild=0,
                    title=post["headline"],
                    draft_title=post["headline"],
                    slug=post["slug"],
                    url_path=f"{section.url_path}{post['slug']}/",
                    content_type=content_type,
                    locale=locale,
                    translation_key=uuid.uuid4(),
                    live=True,
                    first_published_at=published,
                    last_published_at=published,
                )
            )
            body = [
                {"type": kind, "value": value, "id": str(uuid.uuid4())}
                for kind, value in self.body(post)
            ]
            details.append((post["author"], post["email"], "", json.dumps(body)))
        Page.objects.bulk_create(pages)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO articles_articlepage (page_ptr_id, author, author_email, "
                "lead_credit, body) VALUES (%s, %s, %s, %s, %s)",
                [(page.pk, *detail) for page, detail in zip(pages, details, strict=True)],
            )
        for section in self.sections.values():
            if added.get(section.pk):
                SectionPage.objects.filter(pk=section.pk).update(
                    numchild=F("numchild") + added[section.pk]
                )
                section.refresh_from_db()
