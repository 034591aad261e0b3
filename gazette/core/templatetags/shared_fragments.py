"""Pieces of a reader page's template kept as HTML in the shared parts::

    {% load shared_fragments %}
    {% shared_fragment "article-header" page.pk page.live_revision_id %}...{% endshared_fragment %}

renders what it encloses once per generation of the shared parts (``gazette.core.shared_parts``),
the request's site, the language and the values after the name, and reads it from the cache
after that. A value that is ``None`` (a page never published has no live revision) or a
preview renders it afresh, uncached. What it encloses must show nothing about the reader, and
nothing that changes without either a new value of its keys or a retirement of the shared
parts; the variables it sets (``as ...``) are not seen after it. A page reads its fragments
in its round trip of the shared parts when it names them (``shared_parts.fragment_name``) to
``preload_site_parts``; those of base.html kept per site are in ``shared_parts.SITE_FRAGMENTS``.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from gazette.core import shared_parts

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, keys):
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context):
        request = context.get("request")
        name = shared_parts.fragment_name(
            request, self.name.resolve(context), *(key.resolve(context) for key in self.keys)
        )
        # A fragment's own variables stay inside it, cached or not.
        with context.push():
            if name is None:
                return self.nodelist.render(context)
            html = shared_parts.shared(request, name, lambda: str(self.nodelist.render(context)))
        return mark_safe(html)  # noqa: S308 - our own templates' output, autoescaped


@register.filter
def menu_mark(page) -> str | None:
    """The key of the header kept per place its menu marks (``shared_parts.menu_mark``)."""
    return shared_parts.menu_mark(page)


@register.tag("shared_fragment")
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("shared_fragment takes a name, then its keys")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    name, *keys = (parser.compile_filter(bit) for bit in bits[1:])
    return SharedFragmentNode(nodelist, name, keys)
