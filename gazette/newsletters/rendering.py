"""An issue as an e-mail: HTML with its CSS inlined (css-inline, since mail programs drop
<style> blocks) and a plain-text part, both rendered once per issue. What differs per reader
(their unsubscribe and preferences links) is put in by string replacement, so 100,000
messages cost one template render. No tracking pixel, no rewritten link: each link goes
straight to the story on the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid
from functools import cached_property

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from gazette.core import editions
from gazette.core.newsroom_time import newsroom_zone_name

from . import tokens
from .models import Issue, Subscriber

# Placeholders the per-reader links replace; characters no template or story produces.
UNSUBSCRIBE = "\ue000unsubscribe\ue000"
PREFERENCES = "\ue000preferences\ue000"
LINK_SLOT = "--link-slot--"  # ASCII: reverse() would percent-encode anything else
HTML_LIMIT = 100 * 1024  # bytes: Gmail clips longer messages

# @media rules stay in a <style> (they cannot be inlined): the narrow-screen layout.
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def site_root() -> str:
    """The address readers reach the site at, for the links of an e-mail."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_url.rstrip("/")
    return (settings.GAZETTE_BASE_URL or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@dataclass
class RenderedIssue:
    """An issue rendered once, with placeholders for each reader's links."""

    issue: Issue
    subject: str
    html: str
    text: str
    root: str

    @cached_property
    def _link_patterns(self) -> tuple[str, str]:
        """The two links with a slot for the token: reverse() once per issue, not per reader;
        to the newsletter's edition's pages (/ko/newsletters/... for a Korean list)."""
        with self.issue.newsletter.addresses():
            return tuple(
                self.root + reverse(name, args=[LINK_SLOT])
                for name in ("newsletters:unsubscribe", "newsletters:preferences")
            )

    def links_for(self, subscriber: Subscriber | None) -> tuple[str, str]:
        if subscriber is None:  # an admin preview or a test send: links that do nothing
            with self.issue.newsletter.addresses():
                index = self.root + reverse("newsletters:index")
            return index, index
        unsubscribe_pattern, preferences_pattern = self._link_patterns
        issue = self.issue
        unsubscribe = tokens.unsubscribe_token(subscriber.pk, issue.newsletter_id, issue.pk)
        return (
            unsubscribe_pattern.replace(LINK_SLOT, unsubscribe),
            preferences_pattern.replace(LINK_SLOT, tokens.preferences_token(subscriber.pk)),
        )

    def message(
        self, subscriber: Subscriber | None, *, to: str | None = None, connection=None
    ) -> EmailMultiAlternatives:
        """The e-mail to one reader: the RFC 8058 one-click unsubscribe headers, and a
        Message-ID made of the issue and the reader, the same if it is ever sent again."""
        unsubscribe, preferences = self.links_for(subscriber)
        domain = self.root.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
        if subscriber is not None:
            message_id = f"<issue-{self.issue.pk}.subscriber-{subscriber.pk}@{domain}>"
        else:
            message_id = make_msgid("preview", domain=domain)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences),
            to=[to or subscriber.email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{self.issue.newsletter.name} <{self.issue.newsletter.slug}.{domain}>",
                "Message-ID": message_id,
                "Auto-Submitted": "auto-generated",
            },
        )
        html = self.html.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences)
        message.attach_alternative(html, "text/html")
        return message


def issue_context(issue: Issue, root: str) -> dict:
    stories = []
    blocks = []
    for block in issue.body:
        if block.block_type == "story":
            article = block.value["article"]
            if article is None:
                continue
            article = article.specific
            if not article.live:
                continue  # unpublished since it was chosen: no dead link in the e-mail
            stories.append(article)
            blocks.append(
                {
                    "type": "story",
                    "article": article,
                    "url": editions.edition_url(article, full=True) or root + article.url,
                    "note": block.value["note"],
                }
            )
        else:
            blocks.append({"type": block.block_type, "value": block.value})
    return {
        "issue": issue,
        "newsletter": issue.newsletter,
        "blocks": blocks,
        "root": root,
        "archive_url": root + issue.get_absolute_url(),
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
    }


def render_issue(issue: Issue, *, recipient: Subscriber | None = None) -> RenderedIssue:
    root = site_root()
    # In the newsletter's edition's language, its links to that edition's pages.
    with issue.newsletter.addresses(), timezone.override(newsroom_zone_name()):
        context = issue_context(issue, root)
        html = render_to_string("newsletters/email/issue.html", context)
        text = render_to_string("newsletters/email/issue.txt", context)
    return RenderedIssue(
        issue=issue, subject=issue.subject, html=_inliner.inline(html), text=text, root=root
    )
