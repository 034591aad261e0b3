"""What changes Popular Now: a story that leaves the readers (unpublished, made private,
moved, deleted) or changes (published again, e.g. a corrected headline) makes the cached list
be computed again, and the view beacon's set of live article ids be loaded again
(live_articles.py). After the commit (the article events are): forgetting it earlier would
let a request still seeing the old state cache the list again for a minute."""

from gazette.news import lifecycle

from . import live_articles
from .queries import forget_popular_now

EVENTS = (
    lifecycle.article_published,
    lifecycle.article_left_readers,
    lifecycle.article_moved,
    lifecycle.readership_changed,
)


def forget_what_changed(sender, **kwargs):
    forget_popular_now()
    live_articles.changed()


def subscribe() -> None:
    for event in EVENTS:
        event.connect(forget_what_changed, dispatch_uid="popular-now")
