"""Changing topics: renaming one (its old address keeps answering, with a 301) and merging one
into another. Each writes in one transaction and queues the purge of the pages it changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from taggit.models import Tag

from gazette.news.tagging import move_tag

from . import tasks
from .models import Topic, TopicRedirect


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A topic needs a name."})
    if len(name) > Tag._meta.get_field("name").max_length:
        raise ValidationError({"name": "That name is too long."})
    return name


def _clean_slug(slug: str, name: str) -> str:
    slug = slugify(slug or name, allow_unicode=True)
    if not slug:
        raise ValidationError({"slug": "The address needs at least one letter or digit."})
    return slug[: Tag._meta.get_field("slug").max_length]


@transaction.atomic
def update_topic(*, tag: Tag, name: str, slug: str = "", description: str = "") -> Tag:
    """Rename a topic and/or change its description. A new slug keeps the old one as a
    redirect; a name or slug another topic has is refused (merge them instead)."""
    name, slug = _clean_name(name), _clean_slug(slug, name)
    others = Tag.objects.exclude(pk=tag.pk)
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"Another topic is called “{name}”: merge the two."})
    if others.filter(slug=slug).exists():
        raise ValidationError({"slug": f"Another topic has the address “{slug}”."})
    old_slug = tag.slug
    tag.name, tag.slug = name, slug
    tag.save(update_fields=["name", "slug"])
    if old_slug != slug:
        _remember_old_slugs(tag, [old_slug])
    description = (description or "").strip()
    Topic.objects.update_or_create(tag=tag, defaults={"description": description})
    tasks.purge_topic.enqueue(tag.pk, [old_slug] if old_slug != slug else [])
    return tag


@transaction.atomic
def merge_topics(*, source: Tag, target: Tag) -> Tag:
    """Move every story of ``source`` to ``target`` and retire ``source``: its address and
    its old ones answer 301 to ``target``'s page. Returns ``target``."""
    if source.pk == target.pk:
        raise ValidationError("A topic cannot be merged into itself.")
    old_slugs = [source.slug, *source.topic_redirects.values_list("old_slug", flat=True)]
    description = Topic.objects.filter(tag=source).values_list("description", flat=True).first()
    if description and not Topic.objects.filter(tag=target).exclude(description="").exists():
        Topic.objects.update_or_create(tag=target, defaults={"description": description})
    article_ids = move_tag(source=source, target=target)  # deletes source and its redirects
    _remember_old_slugs(target, old_slugs)
    tasks.purge_topic.enqueue(target.pk, old_slugs, article_ids)
    return target


def _remember_old_slugs(tag: Tag, slugs: list[str]) -> None:
    """Point ``slugs`` at ``tag``; a slug that is the tag's own again needs no redirect."""
    slugs = [slug for slug in slugs if slug and slug != tag.slug]
    TopicRedirect.objects.filter(Q(old_slug__in=slugs) | Q(old_slug=tag.slug)).delete()
    TopicRedirect.objects.bulk_create([TopicRedirect(old_slug=slug, tag=tag) for slug in slugs])
