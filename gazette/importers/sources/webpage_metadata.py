"""What an article page says about itself: JSON-LD, OpenGraph, meta tags, microdata.

Each field is taken from the first source that has it, in the order the sources deserve
trust: JSON-LD's Article (written by the CMS from its database), then the OpenGraph and
``article:*`` tags, then the analytics tags (Parse.ly, Sailthru), Dublin Core, plain
``<meta>`` and microdata/RDFa in the markup. Next.js pages without any of these carry the
story's record in ``__NEXT_DATA__``, which is searched last.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from .webpage_text import class_tokens, element_text, resolve_url, squash

__all__ = ["ImageMeta", "PageMetadata", "clean_author_names", "read_metadata"]

# Most specific first: a page that has both a NewsArticle and an Article means the former.
_ARTICLE_RANK = {
    **dict.fromkeys(
        (
            "newsarticle",
            "reportagenewsarticle",
            "analysisnewsarticle",
            "opinionnewsarticle",
            "reviewnewsarticle",
            "backgroundnewsarticle",
            "askpublicnewsarticle",
        ),
        0,
    ),
    **dict.fromkeys(("article", "blogposting", "liveblogposting", "report", "techarticle"), 1),
    **dict.fromkeys(("socialmediaposting", "scholarlyarticle", "creativework"), 2),
}
_PERSON_TYPES = {"person"}
_HOME_NAMES = {
    "home",
    "homepage",
    "start",
    "startseite",
    "accueil",
    "inicio",
    "홈",
    "posts",
    "blog",
}
# Names a CMS gives every page of a kind; they are not a newsroom's sections.
_NOT_SECTIONS = {
    "posts", "post", "blog", "articles", "article", "stories", "story", "news item",
    "uncategorized", "uncategorised", "general", "default", "home", "page", "pages",
}  # fmt: skip
_TAG_BOX_TOKENS = {
    "tags",
    "taglist",
    "keywords",
    "schlagworte",
    "schlagwoerter",
    "topics",
    "mots",
    "motscles",
}

_PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "article.published",
    "originalpublicationdate",
    "datepublished",
    "cxenseparse:recs:publishtime",
    "itemprop:datepublished",
    "property:schema:datepublished",
    "property:dc:date",
    "property:dc:created",
    "property:schema:datecreated",
)
_MODIFIED_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
    "datemodified",
    "itemprop:datemodified",
    "property:schema:datemodified",
    "property:dc:modified",
)
_AUTHOR_KEYS = (
    "parsely-author",
    "sailthru.author",
    "article:author",
    "author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "dable:author",
    "itemprop:author",
    "property:schema:author",
)
_SECTION_KEYS = (
    "article:section",
    "parsely-section",
    "section",
    "category",
    "dable:item_category",
)
_TAG_KEYS = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords")
_IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
    "parsely-image-url",
    "sailthru.image.full",
    "itemprop:image",
)
_TITLE_KEYS = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title")
_DESCRIPTION_KEYS = ("og:description", "description", "twitter:description", "sailthru.description")

_BYLINE_PREFIX = re.compile(r"^(?:by|from|von|par|por|door|di|af|av|written by)\s*:?\s+", re.I)
_NAME_SEPARATORS = re.compile(r"\s*(?:;|\||\s&\s|,\s*and\s|\sand\s|\bund\b|\bet\b|\by\b|,)\s*")
_ROLE = re.compile(
    r"\b(?:staff|writer|reporter|correspondent|editor|columnist|contributor|photographer|"
    r"special to|bureau|desk|newsroom|team|wire)\b",
    re.I,
)
# Korean bylines: "홍길동 기자", "홍길동 특파원" (reporter, correspondent).
_KOREAN_ROLE = re.compile(r"\s*(?:기자|특파원|논설위원|선임기자|객원기자)$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")


@dataclass(frozen=True)
class ImageMeta:
    url: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass
class PageMetadata:
    canonical_url: str = ""
    headlines: list[tuple[str, str]] = field(default_factory=list)  # (text, source), best first
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    authors_source: str = ""
    published: tuple[str, str] | None = None  # (raw value, source)
    modified: tuple[str, str] | None = None
    section: str = ""
    tags: list[str] = field(default_factory=list)
    image: ImageMeta | None = None
    article_body: str = ""  # JSON-LD articleBody: the body when the markup has none
    next_data_html: str = ""  # an HTML body found in __NEXT_DATA__
    site_name: str = ""
    language: str = ""
    notes: list[str] = field(default_factory=list)


# --- JSON-LD ---------------------------------------------------------------------------------

_JSON_WRAPPING = re.compile(
    r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$"
)


def _load_json(text: str) -> Any:
    text = _JSON_WRAPPING.sub("", text.strip()).strip().rstrip(";")
    # strict=False: CMSs put raw newlines and tabs inside articleBody strings.
    return json.loads(text, strict=False)


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", ())
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return {str(value).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for value in values}


def _top_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """The JSON-LD nodes a page states at its top level or in @graph.

    Nodes nested deeper (an ItemList of related stories, a WebPage's hasPart) are not the
    page's own article and are not walked, except a WebPage's mainEntity.
    """
    if isinstance(data, list):
        for item in data:
            yield from _top_nodes(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _top_nodes(data["@graph"])
        if "@type" in data:
            yield data
            main = data.get("mainEntity")
            if isinstance(main, dict | list) and _types(data) & {"webpage", "itempage"}:
                yield from _top_nodes(main)


def _jsonld_nodes(tree: lxml_html.HtmlElement, notes: list[str]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = _load_json(script.text or "")
        except ValueError:
            notes.append("a JSON-LD block is not valid JSON; ignored")
            continue
        nodes.extend(_top_nodes(data))
    return nodes


def _index(nodes: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Nodes by @id, to follow Yoast-style references ({"@id": ".../#/schema/person/ab12"})."""
    index: dict[str, dict[str, Any]] = {}
    for node in nodes:
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1:
            index.setdefault(node_id, node)
    return index


def _deref(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(value["@id"], value)
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            if isinstance(value.get(key), str):
                return squash(value[key])
    return ""


def _choose_article(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    best: tuple[int, int] | None = None
    chosen = None
    for position, node in enumerate(nodes):
        ranks = [_ARTICLE_RANK[t] for t in _types(node) if t in _ARTICLE_RANK]
        if not ranks:
            continue
        key = (min(ranks), position)
        if best is None or key < best:
            best, chosen = key, node
    return chosen


def _jsonld_authors(article: dict[str, Any], index: dict[str, dict[str, Any]]) -> list[str]:
    people, organisations = [], []
    for raw in _as_list(article.get("author")) or _as_list(article.get("creator")):
        node = _deref(raw, index)
        name = _text_of(node)
        if not name or name.startswith(("http://", "https://")):
            continue
        is_person = not isinstance(node, dict) or not _types(node) or _types(node) & _PERSON_TYPES
        (people if is_person else organisations).append(name)
    # A wire story credits the agency as an Organization; it is the byline then.
    return people or organisations


def _jsonld_image(
    article: dict[str, Any], index: dict[str, dict[str, Any]], base: str
) -> ImageMeta | None:
    for raw in _as_list(article.get("image")) + _as_list(article.get("thumbnailUrl")):
        node = _deref(raw, index)
        if isinstance(node, str):
            url = resolve_url(node, base)
            if url:
                return ImageMeta(url)
        elif isinstance(node, dict):
            url = resolve_url(_text_of(node.get("url")) or _text_of(node.get("contentUrl")), base)
            if not url:
                continue
            credit = ""
            for key in ("creditText", "copyrightHolder", "author", "creator", "copyrightNotice"):
                credit = (
                    _text_of(_deref(_as_list(node.get(key))[0], index)) if node.get(key) else ""
                )
                if credit:
                    break
            caption = _text_of(node.get("caption")) or _text_of(node.get("description"))
            return ImageMeta(
                url,
                alt=_text_of(node.get("name")) if caption else "",
                caption=caption,
                credit=credit,
            )
    return None


def _breadcrumb_section(nodes: list[dict[str, Any]], index: dict[str, dict[str, Any]]) -> str:
    for node in nodes:
        if "breadcrumblist" not in _types(node):
            continue
        items = [_deref(item, index) for item in _as_list(node.get("itemListElement"))]
        names = []
        for item in sorted(
            (i for i in items if isinstance(i, dict)), key=lambda i: int(i.get("position") or 0)
        ):
            name = _text_of(item) or _text_of(_deref(item.get("item"), index))
            if name:
                names.append(name)
        names = [n for n in names if n.casefold() not in _HOME_NAMES | _NOT_SECTIONS]
        # The last crumb is usually the article itself.
        if len(names) >= 2:
            return names[-2]
    return ""


# --- meta tags, microdata, RDFa --------------------------------------------------------------


def _meta_values(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = defaultdict(list)
    for element in tree.iter("meta"):
        content = squash(element.get("content"))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            for key in (element.get(attribute) or "").lower().split():
                values[key].append(content)
    # Microdata and RDFa on ordinary elements: <time itemprop="datePublished" datetime=...>,
    # Drupal's <span property="dc:date dc:created" content=...>.
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag == "meta":
            continue
        for attribute in ("itemprop", "property"):
            keys = (element.get(attribute) or "").lower().split()
            if not keys:
                continue
            value = element.get("content") or element.get("datetime")
            if value is None:
                names = element.xpath(".//*[@itemprop='name' or @property='schema:name']")
                value = element_text(names[0]) if names else element_text(element)
            value = squash(value)
            if value:
                for key in keys:
                    values[f"{attribute}:{key}"].append(value)
    return values


def _first(values: dict[str, list[str]], keys: Iterable[str]) -> tuple[str, str] | None:
    for key in keys:
        if values.get(key):
            return values[key][0], key
    return None


def clean_author_names(raw: Iterable[str]) -> list[str]:
    """Names from bylines as CMSs print them: "By Ann Lee and Bo Kim, Staff Writers" -> two."""
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        value = _EMAIL.sub("", squash(value))
        if value.startswith(("http://", "https://", "/")):
            continue
        value = _BYLINE_PREFIX.sub("", value)
        for part in _NAME_SEPARATORS.split(value):
            part = _KOREAN_ROLE.sub("", _BYLINE_PREFIX.sub("", part.strip(" .·-–—:"))).strip()
            if not part or (_ROLE.search(part) and len(part.split()) <= 3 and part != value):
                continue
            if len(part.split()) > 6 or part.casefold() in seen:
                continue
            seen.add(part.casefold())
            names.append(part)
    return names


def _split_tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        for tag in value.split(","):
            tag = squash(tag)
            # CMS-internal tags ("section:world", "_hidden", "rss-feed") are not topics.
            if not tag or ":" in tag or tag.startswith(("_", "@", "#")) or len(tag) > 60:
                continue
            if tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tags


def _canonical(
    tree: lxml_html.HtmlElement, page_url: str, values: dict[str, list[str]], notes: list[str]
) -> str:
    candidates = [
        (link.get("href"), "link rel=canonical")
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [(value, "og:url") for value in values.get("og:url", [])]
    candidates += [(value, "parsely-link") for value in values.get("parsely-link", [])]
    page_path = urlsplit(page_url).path.strip("/")
    for raw, source in candidates:
        url = resolve_url(raw, page_url)
        if not url:
            continue
        if page_path and not urlsplit(url).path.strip("/"):
            # A template that points every page's canonical at the home page.
            notes.append(f"the {source} points at the site's home page; ignored")
            continue
        return url
    return ""


# --- __NEXT_DATA__ ---------------------------------------------------------------------------

_NEXT_TITLE = ("headline", "title")
_NEXT_PUBLISHED = (
    "datePublished",
    "publishedAt",
    "published_at",
    "firstPublished",
    "publishDate",
    "publishedDate",
    "date",
)
_NEXT_MODIFIED = (
    "dateModified",
    "updatedAt",
    "updated_at",
    "lastModified",
    "modifiedDate",
    "lastPublished",
)
_NEXT_AUTHORS = ("authors", "author", "byline", "contributors")
_NEXT_SECTION = ("section", "category", "primarySection", "primaryCategory")
_NEXT_TAGS = ("tags", "keywords", "topics")
_NEXT_BODY = ("body", "bodyHtml", "content", "html", "articleBody")
_HTML_PARAGRAPH = re.compile(r"<p[\s>]", re.I)


def _walk_dicts(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 40:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk_dicts(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _walk_dicts(value, depth + 1)


def _next_article(tree: lxml_html.HtmlElement) -> dict[str, Any] | None:
    """The record in __NEXT_DATA__ that looks most like the story: a title and a date."""
    for script in tree.iter("script"):
        if script.get("id") != "__NEXT_DATA__":
            continue
        try:
            data = _load_json(script.text or "")
        except ValueError:
            return None
        best, best_score = None, 0
        for node in _walk_dicts(data):
            if not any(isinstance(node.get(k), str) for k in _NEXT_TITLE):
                continue
            score = sum(1 for k in _NEXT_PUBLISHED + _NEXT_AUTHORS + _NEXT_BODY if node.get(k))
            if any(node.get(k) for k in _NEXT_PUBLISHED) and score > best_score:
                best, best_score = node, score
        return best
    return None


def _next_value(node: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if node.get(key) not in (None, "", [], {}):
            return node[key]
    return None


def _next_strings(value: Any) -> list[str]:
    return [
        text
        for item in _as_list(value)
        if (text := _text_of(item) or (item.get("title") if isinstance(item, dict) else ""))
    ]


def _from_next_data(tree: lxml_html.HtmlElement, meta: PageMetadata, base: str) -> None:
    node = _next_article(tree)
    if node is None:
        return
    found = []
    title = _text_of(_next_value(node, _NEXT_TITLE))
    if title:
        meta.headlines.append((title, "__NEXT_DATA__"))
    if not meta.authors and (
        authors := clean_author_names(_next_strings(_next_value(node, _NEXT_AUTHORS)))
    ):
        meta.authors, meta.authors_source = authors, "__NEXT_DATA__"
        found.append("authors")
    for attribute, keys in (("published", _NEXT_PUBLISHED), ("modified", _NEXT_MODIFIED)):
        value = _next_value(node, keys)
        if (
            getattr(meta, attribute) is None
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            setattr(meta, attribute, (str(value), "__NEXT_DATA__"))
            found.append(attribute)
    if not meta.section and (section := _next_strings(_next_value(node, _NEXT_SECTION))):
        meta.section = section[0]
        found.append("section")
    if not meta.tags and (tags := _split_tags(_next_strings(_next_value(node, _NEXT_TAGS)))):
        meta.tags = tags
        found.append("tags")
    body = _next_value(node, _NEXT_BODY)
    if isinstance(body, str) and _HTML_PARAGRAPH.search(body):
        meta.next_data_html = body
    if found:
        meta.notes.append(f"{', '.join(found)} read from the page's __NEXT_DATA__")


# --- reading ---------------------------------------------------------------------------------


def read_metadata(tree: lxml_html.HtmlElement, *, page_url: str) -> PageMetadata:
    meta = PageMetadata()
    notes = meta.notes
    values = _meta_values(tree)
    meta.language = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower()
    meta.canonical_url = _canonical(tree, page_url, values, notes)
    base = meta.canonical_url or page_url
    site = _first(values, ("og:site_name", "application-name", "publisher"))
    meta.site_name = site[0] if site else ""

    nodes = _jsonld_nodes(tree, notes)
    index = _index(nodes)
    article = _choose_article(nodes)
    if article is not None:
        for key in ("headline", "name", "alternativeHeadline"):
            if text := _text_of(article.get(key)):
                meta.headlines.append((text, f"JSON-LD {key}"))
                break
        if text := _text_of(article.get("description")):
            meta.descriptions.append((text, "JSON-LD description"))
        meta.authors = clean_author_names(_jsonld_authors(article, index))
        meta.authors_source = "JSON-LD" if meta.authors else ""
        for attribute, keys in (
            ("published", ("datePublished", "dateCreated")),
            ("modified", ("dateModified",)),
        ):
            for key in keys:
                if value := _text_of(article.get(key)):
                    setattr(meta, attribute, (value, f"JSON-LD {key}"))
                    break
        sections = [_text_of(s) for s in _as_list(article.get("articleSection"))]
        meta.section = next((s for s in sections if s), "")
        keywords = _as_list(article.get("keywords"))
        meta.tags = _split_tags(_text_of(k) for k in keywords)
        meta.image = _jsonld_image(article, index, base)
        body = article.get("articleBody")
        meta.article_body = body.strip() if isinstance(body, str) else ""
        if not meta.canonical_url:
            main = _deref(article.get("mainEntityOfPage"), index)
            raw = main.get("@id") or main.get("url") if isinstance(main, dict) else main
            for candidate in (article.get("url"), raw):
                if isinstance(candidate, str) and (url := resolve_url(candidate, page_url)):
                    meta.canonical_url = url
                    break

    for key in _TITLE_KEYS:
        meta.headlines += [(value, key) for value in values.get(key, [])[:1]]
    for key in _DESCRIPTION_KEYS:
        meta.descriptions += [(value, key) for value in values.get(key, [])[:1]]
    title = tree.find(".//title")
    if title is not None and (text := element_text(title)):
        meta.headlines.append((text, "<title>"))

    if not meta.authors:
        for key in _AUTHOR_KEYS:
            names = clean_author_names(values.get(key, []))
            if names:
                meta.authors, meta.authors_source = names, key
                break
    meta.published = meta.published or _first(values, _PUBLISHED_KEYS)
    meta.modified = meta.modified or _first(values, _MODIFIED_KEYS)
    if not meta.section:
        found = _first(values, _SECTION_KEYS)
        meta.section = found[0] if found else _breadcrumb_section(nodes, index)
    if meta.section.casefold() in _NOT_SECTIONS:
        notes.append(f"the section {meta.section!r} names a kind of page, not a section; ignored")
        meta.section = ""
    if not meta.tags:
        for key in _TAG_KEYS:
            if tags := _split_tags(values.get(key, [])):
                meta.tags = tags
                break
    if meta.image is None:
        found = _first(values, _IMAGE_KEYS)
        url = resolve_url(found[0], base) if found else ""
        if url:
            alt = _first(values, ("og:image:alt", "twitter:image:alt"))
            meta.image = ImageMeta(url, alt=alt[0] if alt else "")
    elif not meta.image.alt and (alt := _first(values, ("og:image:alt", "twitter:image:alt"))):
        meta.image = ImageMeta(meta.image.url, alt[0], meta.image.caption, meta.image.credit)

    _from_next_data(tree, meta, base)
    return meta


def _in_comments(element: lxml_html.HtmlElement) -> bool:
    node = element
    while node is not None:
        if class_tokens(node) & {"comment", "comments", "related", "promo", "teaser"}:
            return True
        node = node.getparent()
    return False


def byline_names(tree: lxml_html.HtmlElement) -> list[str]:
    """Authors from the visible byline, when the page states them nowhere else.

    Marked-up bylines first (rel=author, microdata, RDFa), then elements named byline or
    author; never inside comments or teasers of other stories.
    """
    marked = tree.xpath(
        "//*[contains(concat(' ', normalize-space(@rel), ' '), ' author ')"
        " or contains(concat(' ', normalize-space(@rel), ' '), ' schema:author ')"
        " or contains(concat(' ', normalize-space(@itemprop), ' '), ' author ')"
        " or contains(concat(' ', normalize-space(@typeof), ' '), ' schema:Person ')]"
    )
    named = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and class_tokens(element) & {"byline", "author", "authors"}
        and not class_tokens(element) & {"bio", "box", "avatar"}
    ]
    for candidates in (marked, named):
        names: list[str] = []
        for element in candidates:
            if element.tag in {"meta", "link"} or _in_comments(element):
                continue
            links = [element_text(a) for a in element.iter("a") if element_text(a)]
            found = clean_author_names(links or [element_text(element)])
            if found and all(len(n.split()) <= 4 for n in found):
                names += [n for n in found if n not in names]
        if names:
            return names
    return []


def breadcrumb_section(tree: lxml_html.HtmlElement, headline: str) -> str:
    """The section a breadcrumb trail names: its last step before the article."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        label = (element.get("aria-label") or "").lower()
        if not (class_tokens(element) & {"breadcrumb", "breadcrumbs"} or "breadcrumb" in label):
            continue
        steps = [element_text(a) for a in element.iter("a") if element_text(a)]
        steps = [
            s for s in steps if s.casefold() not in _HOME_NAMES | _NOT_SECTIONS and s != headline
        ]
        if steps:
            return steps[-1]
    return ""


def tag_links(tree: lxml_html.HtmlElement) -> list[str]:
    """Tags the page lists as links: rel=tag, or inside an element named for tags."""
    found = [
        element_text(a)
        for a in tree.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")
    ]
    if not found:
        for element in tree.iter():
            if isinstance(element.tag, str) and class_tokens(element) & _TAG_BOX_TOKENS:
                found = [element_text(a) for a in element.iter("a")]
                if found:
                    break
    return _split_tags(t for t in found if t and len(t) <= 60)
