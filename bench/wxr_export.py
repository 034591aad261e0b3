"""Write a WordPress export (WXR 1.2) of any size, streamed to disk, for benches and tests.

    .venv/bin/python bench/wxr_export.py OUT.xml --posts 10000

Posts alternate between Gutenberg and classic bodies, with headings, lists, quotes, a
captioned picture, an embed line, tags, two categories, comments (approved and spam) and one
attachment each (the featured picture), so that a large file exercises what a real one does.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated Gazette</title>
<link>https://generated.example.com</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://generated.example.com</wp:base_site_url>
<wp:base_blog_url>https://generated.example.com</wp:base_blog_url>
"""
AUTHOR = (
    "<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login><wp:author_email>"
    "<![CDATA[{login}@generated.example.com]]></wp:author_email><wp:author_display_name>"
    "<![CDATA[{name}]]></wp:author_display_name></wp:author>\n"
)
AUTHORS = [("ana", "Ana Ruiz"), ("ben", "Ben Okafor"), ("chloe", "Chloé Martin"), ("dai", "Dai Li")]
SECTIONS = ["World", "Politics", "Business", "Culture", "Sport", "Science"]
WORDS = [
    "harbour",
    "council",
    "budget",
    "vote",
    "ferry",
    "market",
    "storm",
    "bridge",
    "school",
    "river",
    "festival",
    "match",
    "report",
    "minister",
    "plan",
    "tide",
    "weather",
    "museum",
    "library",
    "station",
    "road",
    "rail",
    "price",
    "energy",
    "water",
    "climate",
    "court",
    "judge",
    "police",
    "hospital",
    "nurse",
    "doctor",
    "farm",
    "village",
    "city",
    "coast",
    "island",
    "summer",
    "winter",
]


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 4)))


def _body(rng: random.Random, number: int, attachment: int) -> str:
    picture = f"https://generated.example.com/wp-content/uploads/2024/01/p{number}.jpg"
    if number % 2:
        parts = [f"<!-- wp:paragraph -->\n<p>{_paragraph(rng)}</p>\n<!-- /wp:paragraph -->"]
        parts.append(f"<!-- wp:heading -->\n<h2>{_sentence(rng, 4)}</h2>\n<!-- /wp:heading -->")
        parts.append(
            f'<!-- wp:image {{"id":{attachment}}} -->\n<figure class="wp-block-image"><img '
            f'src="{picture}" alt="" class="wp-image-{attachment}"/><figcaption>'
            f"{_sentence(rng, 6)}</figcaption></figure>\n<!-- /wp:image -->"
        )
        parts += [f"<!-- wp:paragraph -->\n<p>{_paragraph(rng)}</p>\n<!-- /wp:paragraph -->"] * 3
        parts.append(
            "<!-- wp:quote -->\n<blockquote><p>"
            + _sentence(rng, 10)
            + "</p><cite>A resident</cite></blockquote>\n<!-- /wp:quote -->"
        )
        return "\n\n".join(parts)
    parts = [_paragraph(rng) for _ in range(3)]
    parts.insert(
        1,
        f'[caption id="attachment_{attachment}" width="800"]<img class="wp-image-{attachment}" '
        f'src="{picture}" alt="Picture {number}" /> {_sentence(rng, 5)} (Photo: Staff)[/caption]',
    )
    parts.append(f"https://www.youtube.com/watch?v=gen{number:07d}")
    parts.append("<ul><li>" + "</li><li>".join(_sentence(rng, 3) for _ in range(3)) + "</li></ul>")
    parts.append(_paragraph(rng))
    return "\n\n".join(parts)


def _comment(number: int, approved: str, when: datetime, text: str) -> str:
    return (
        f"<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author><![CDATA[Reader "
        f"{number}]]></wp:comment_author><wp:comment_author_email>r{number}@example.net"
        f"</wp:comment_author_email><wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}"
        f"</wp:comment_date_gmt><wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved></wp:comment>"
    )


def write_wxr(path: Path, *, posts: int, seed: int = 15, first: int = 1) -> Path:
    """A WXR of this many posts (and as many attachments) at ``path``; returns the path.
    ``first`` numbers the posts from there: exports with no post in common."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for login, name in AUTHORS:
            out.write(AUTHOR.format(login=login, name=name))
        for number in range(first, first + posts):
            post_id, attachment = number * 2, number * 2 + 1
            when = start + timedelta(hours=number * 3, seconds=rng.randint(0, 3599))
            sections = rng.sample(SECTIONS, 2)
            title = _sentence(rng, rng.randint(5, 10))[:-1]
            slug = "-".join(title.lower().split()[:8])
            comments = "".join(
                _comment(post_id * 10 + c, "1" if c % 3 else "spam", when + timedelta(hours=c + 1),
                         _sentence(rng, 12))
                for c in range(rng.randint(0, 3))
            )  # fmt: skip
            out.write(
                f"<item><title><![CDATA[{title}]]></title>"
                f"<link>https://generated.example.com/{when:%Y/%m/%d}/{slug}/</link>"
                f"<dc:creator><![CDATA[{rng.choice(AUTHORS)[0]}]]></dc:creator>"
                f'<guid isPermaLink="false">https://generated.example.com/?p={post_id}</guid>'
                f"<content:encoded><![CDATA[{_body(rng, number, attachment)}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{_sentence(rng, 12)}]]></excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id>"
                f"<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:post_name><![CDATA[{slug}]]></wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="a"><![CDATA[{sections[0]}]]></category>'
                f'<category domain="category" nicename="b"><![CDATA[{sections[1]}]]></category>'
                f'<category domain="post_tag" nicename="t"><![CDATA[{rng.choice(WORDS)}]]>'
                f"</category><wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                f"<wp:meta_value>{attachment}</wp:meta_value></wp:postmeta>{comments}</item>\n"
                f"<item><title>p{number}.jpg</title><wp:post_id>{attachment}</wp:post_id>"
                f"<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
                f"<wp:attachment_url>https://generated.example.com/wp-content/uploads/2024/01/"
                f"p{number}.jpg</wp:attachment_url><excerpt:encoded><![CDATA[Picture {number}]]>"
                f"</excerpt:encoded><wp:postmeta><wp:meta_key>_media_credit</wp:meta_key>"
                f"<wp:meta_value>Staff photographer</wp:meta_value></wp:postmeta></item>\n"
            )
        out.write("</channel>\n</rss>\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=10_000)
    args = parser.parse_args()
    write_wxr(args.out, posts=args.posts)
    print(f"{args.out}: {args.posts} posts, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
