"""Only gazette.news listens to page signals; every other app subscribes to news's article
events (gazette.news.lifecycle). Inspected on the connected receivers themselves."""

import inspect

from django.apps import apps
from django.db.models import signals as model_signals
from wagtail import signals as wagtail_signals
from wagtail.models import Page, PageViewRestriction

PAGE_SIGNALS = [
    getattr(wagtail_signals, name)
    for name in ("page_published", "page_unpublished", "pre_page_move", "post_page_move")
]
MODEL_SIGNALS = [
    model_signals.pre_save,
    model_signals.post_save,
    model_signals.pre_delete,
    model_signals.post_delete,
    model_signals.m2m_changed,
]


# Framework plumbing, not a feature's reaction: compat's index batching records the saves for
# Wagtail's and modelsearch's indexers (and forgets what the batch deleted) and stands in for
# modelsearch's own receiver (a gate); a bulk import's purge gate stands in for Wagtail's
# frontend-cache receiver the same way.
FRAMEWORK_RECEIVERS = {
    "gazette.core.compat._record_saved",
    "gazette.core.compat._forget_deleted",
    "gazette.core.compat._gate_search_updates.<locals>.gated",
    "gazette.core.compat._gate_publish_purges.<locals>.gated",
}


def _page_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, Page)] + [PageViewRestriction]


def _receivers_of(signal, sender) -> list:
    sync, async_ = signal._live_receivers(sender)
    return [*sync, *async_]


def _gazette_receivers_outside_news() -> set[str]:
    found = set()
    for signal in PAGE_SIGNALS + MODEL_SIGNALS:
        for sender in _page_models():
            for receiver in _receivers_of(signal, sender):
                module = inspect.getmodule(receiver).__name__
                if module.startswith("gazette.") and not module.startswith("gazette.news."):
                    found.add(f"{module}.{receiver.__qualname__}")
    return found - FRAMEWORK_RECEIVERS


def test_no_module_outside_news_connects_to_a_page_signal():
    assert _gazette_receivers_outside_news() == set()


def test_news_does_listen_so_the_inspection_sees_receivers():
    news = {
        inspect.getmodule(receiver).__name__
        for signal in PAGE_SIGNALS
        for receiver in _receivers_of(signal, Page)
    }
    assert "gazette.news.lifecycle" in news


def test_a_feature_connecting_to_a_page_signal_is_caught():
    def stray(sender, **kwargs):
        pass

    stray.__module__ = "gazette.related.signals"
    wagtail_signals.page_published.connect(stray, dispatch_uid="test-stray")
    try:
        assert (
            "gazette.related.signals.test_a_feature_connecting_to_a_page_signal_is_caught.<locals>.stray"
            in (_gazette_receivers_outside_news())
        )
    finally:
        wagtail_signals.page_published.disconnect(dispatch_uid="test-stray")
