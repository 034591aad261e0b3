"""What `make bench` asks the app itself, run with the stack's settings and environment
(deploy/stack.py's app_environment): the URLs to load, queries per page, a profile, the comment
rules for the run. Prints JSON (or the profile's text).

    python bench/probe.py targets --open 40
    python bench/probe.py queries / /world/some-story/
    python bench/probe.py profile /world/some-story/ --repeat 200
    python bench/probe.py profile-beacon 1234 --repeat 500
    python bench/probe.py comment-limits off
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.production")
    import django

    django.setup()


def _client():
    from django.test import Client

    # The host nginx passes on; no session, as an anonymous reader.
    return Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT="Mozilla/5.0 (bench probe)")


def targets(open_count: int) -> dict:
    """The pages the bench loads: the newest article (comments open), its section and author,
    a search for a word of its title, and the newest articles to post comments and views to."""
    from gazette.comments.models import Comment
    from gazette.news.models import ArticlePage

    live = ArticlePage.objects.live().public().order_by("-first_published_at", "-pk")
    newest = list(live.select_related("section")[:open_count])
    if not newest:
        raise SystemExit("no published article: load a newsroom first")
    article = newest[0]
    author = article.article_authors.select_related("author").first()
    word = max(article.title.split(), key=len).strip(".,:;!?'\"").lower()
    return {
        "articles": live.count(),
        "comments": Comment.objects.count(),
        "article": {"id": article.pk, "path": article.get_url()},
        "cold_articles": [a.get_url() for a in live[open_count : open_count + 20]],
        "section": article.section.get_url(),
        "author": f"/authors/{author.author.slug}/" if author else None,
        "search": f"/search/?q={word}",
        "open_articles": [{"id": a.pk, "path": a.get_url()} for a in newest],
    }


def queries(paths: list[str]) -> dict:
    """Queries each page makes, counted on its second request (the first warms per-process
    caches: the site root, renditions)."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    client = _client()
    counts = {}
    for path in paths:
        first = client.get(path)
        with CaptureQueriesContext(connections["default"]) as captured:
            response = client.get(path)
        counts[path] = {
            "status": response.status_code,
            "first_status": first.status_code,
            "queries": len(captured.captured_queries),
        }
    return counts


def profile(path: str, repeat: int) -> str:
    """pyinstrument's call tree of ``repeat`` renders of a page, after one warm-up."""
    from pyinstrument import Profiler

    client = _client()
    client.get(path)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        client.get(path)
    profiler.stop()
    return by_package(profiler) + profiler.output_text(unicode=False, color=False, show_all=False)


def _package(file_path: str) -> str:
    """'django/template', 'psycopg', 'gazette/news'...: where a frame's code lives."""
    path = file_path.replace("\\", "/")
    if "site-packages/" in path:
        parts = path.split("site-packages/", 1)[1].split("/")
        return (
            "/".join(parts[:2])
            if parts[0] in ("django", "wagtail") and len(parts) > 2
            else parts[0]
        )
    if "/gazette/" in path:
        parts = path.split("/gazette/", 1)[1].split("/")
        return "gazette/" + parts[0] if len(parts) > 1 else "gazette"
    return "python" if "/lib/python" in path else "other"


def by_package(profiler) -> str:
    """Time spent in each package's own code (self time), largest first: where the time goes
    once the call tree's library frames are folded away."""
    totals: dict[str, float] = {}
    root = profiler.last_session.root_frame()
    stack = [root]
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic:  # "[self]" and the like: counted in their parent's self time
            continue
        key = _package(frame.file_path or "")
        totals[key] = totals.get(key, 0.0) + frame.total_self_time
    overall = sum(totals.values()) or 1.0
    lines = ["Self time by package (wall clock):"]
    for key, seconds in sorted(totals.items(), key=lambda item: -item[1])[:15]:
        lines.append(f"  {seconds / overall:6.1%}  {seconds:8.3f} s  {key}")
    return "\n".join(lines) + "\n\n"


def profile_beacon(article_id: int, repeat: int) -> str:
    """pyinstrument's call tree of ``repeat`` view beacons, each from another reader."""
    from pyinstrument import Profiler

    client = _client()
    url = f"/analytics/views/{article_id}/"
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.{}.0 Safari/537.36"
    client.post(url, HTTP_USER_AGENT=agent.format(0))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for number in range(1, repeat + 1):
        client.post(url, HTTP_USER_AGENT=agent.format(number))
    profiler.stop()
    return by_package(profiler) + profiler.output_text(unicode=False, color=False, show_all=False)


def comment_limits(state: str) -> dict:
    """The per-reader comment rate limits off (every bench request comes from one address) or
    back to the defaults. The other rules (stamp age, repeat check, links) stay on."""
    from wagtail.models import Site

    from gazette.comments.models import CommentSettings

    site = Site.objects.get(is_default_site=True)
    settings, _ = CommentSettings.objects.get_or_create(site=site)
    defaults = CommentSettings()
    settings.per_minute = 0 if state == "off" else defaults.per_minute
    settings.per_hour = 0 if state == "off" else defaults.per_hour
    settings.save()
    return {"per_minute": settings.per_minute, "per_hour": settings.per_hour}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("targets").add_argument("--open", type=int, default=40)
    sub.add_parser("queries").add_argument("paths", nargs="+")
    prof = sub.add_parser("profile")
    prof.add_argument("path")
    prof.add_argument("--repeat", type=int, default=200)
    beacon = sub.add_parser("profile-beacon")
    beacon.add_argument("article_id", type=int)
    beacon.add_argument("--repeat", type=int, default=500)
    sub.add_parser("comment-limits").add_argument("state", choices=["off", "default"])
    args = parser.parse_args()
    _setup()
    if args.action == "profile":
        print(profile(args.path, args.repeat))
        return 0
    if args.action == "profile-beacon":
        print(profile_beacon(args.article_id, args.repeat))
        return 0
    result = {
        "targets": lambda: targets(args.open),
        "queries": lambda: queries(args.paths),
        "comment-limits": lambda: comment_limits(args.state),
    }[args.action]()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
