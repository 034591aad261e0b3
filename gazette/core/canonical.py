"""A page's canonical query string: only the parameters it reads, in a fixed order.

deploy/nginx.conf keys the page cache the same way and passes the app nothing else ("Cache
keys" there and in docs/operations.md): ``?utm_source=x`` or a parameter no page reads never
reaches a view behind it. Links a page writes with this helper (its pagination, the API's
next and previous) carry no stray parameter either, even where no nginx stands in front.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from django.http import QueryDict


def canonical_query(
    query: QueryDict, *, parameters: Sequence[str], replace: Mapping[str, object] | None = None
) -> str:
    """``query`` cut down to ``parameters``, in their order: the first value of each (as nginx's
    ``$arg_name``), empty ones left out. ``replace`` sets a parameter's value (None drops it)."""
    replace = replace or {}
    pairs = []
    for name in parameters:
        if name in replace:
            value = replace[name]
        else:
            values = query.getlist(name)
            value = values[0] if values else None
        if value is not None and value != "":
            pairs.append((name, str(value)))
    return urlencode(pairs)
