"""Telling readers from bots and prefetches, and recognising a reader without storing them."""

from datetime import date

import pytest

from gazette.analytics.readers import Verdict, classify, reader_key

from .common import BOTS, BROWSERS, PREFETCHES, reader


@pytest.mark.parametrize("user_agent", BROWSERS)
def test_browsers_are_readers(user_agent):
    assert classify(reader(1, user_agent)) is Verdict.READER


def test_the_no_script_pixel_and_browsers_without_fetch_metadata_are_readers():
    assert classify(reader(1, HTTP_SEC_FETCH_DEST="image")) is Verdict.READER
    old_browser = reader(1)
    del old_browser["HTTP_SEC_FETCH_DEST"], old_browser["HTTP_SEC_FETCH_SITE"]
    assert classify(old_browser) is Verdict.READER


@pytest.mark.parametrize("user_agent", BOTS)
def test_crawlers_and_scripts_are_bots(user_agent):
    assert classify(reader(1, user_agent)) is Verdict.BOT


def test_a_missing_user_agent_is_a_bot():
    headers = reader(1)
    del headers["HTTP_USER_AGENT"]
    assert classify(headers) is Verdict.BOT


def test_an_overlong_user_agent_is_a_bot_without_asking_the_detector(monkeypatch):
    from gazette.analytics import readers

    def never(user_agent):
        raise AssertionError("the crawler detector read an overlong user agent")

    monkeypatch.setattr(readers._crawlers, "is_crawler", never)
    browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 "
    long = browser + "x" * (readers.MAX_USER_AGENT - len(browser) + 1)
    assert classify(reader(1, long)) is Verdict.BOT


@pytest.mark.parametrize("headers", PREFETCHES)
def test_prefetches_and_prerenders_are_not_views(headers):
    assert classify(reader(1, **headers)) is Verdict.PREFETCH


@pytest.mark.parametrize("destination", ["document", "iframe", "script"])
def test_opening_the_beacon_as_a_page_is_not_a_view(destination):
    assert classify(reader(1, HTTP_SEC_FETCH_DEST=destination)) is Verdict.NOT_A_BEACON


def test_another_site_embedding_the_beacon_is_not_counted():
    assert classify(reader(1, HTTP_SEC_FETCH_SITE="cross-site")) is Verdict.CROSS_SITE


def test_reader_key_is_stable_within_a_day_and_changes_with_the_day():
    headers = reader(7)
    today = reader_key(headers, article_id=1, day=date(2026, 3, 1))
    assert today == reader_key(dict(headers), article_id=1, day=date(2026, 3, 1))
    assert today != reader_key(headers, article_id=1, day=date(2026, 3, 2))
    assert today != reader_key(headers, article_id=2, day=date(2026, 3, 1))
    assert today != reader_key(reader(8), article_id=1, day=date(2026, 3, 1))
    other_browser = reader(7, BROWSERS[1])
    assert today != reader_key(other_browser, article_id=1, day=date(2026, 3, 1))


def test_reader_key_holds_nothing_raw_and_depends_on_the_secret_key(settings):
    headers = reader(7)
    key = reader_key(headers, article_id=1, day=date(2026, 3, 1))
    assert headers["REMOTE_ADDR"] not in key and "Firefox" not in key
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert key != reader_key(headers, article_id=1, day=date(2026, 3, 1))


def test_reader_key_uses_the_address_our_proxy_saw_and_ignores_forged_headers(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    day = date(2026, 3, 1)
    behind_proxy = reader(0, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    other_reader = reader(0, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.10")
    assert reader_key(behind_proxy, article_id=1, day=day) != reader_key(
        other_reader, article_id=1, day=day
    )
    forged = reader(0, REMOTE_ADDR="198.51.100.1", HTTP_X_REAL_IP="203.0.113.9")
    forged_other = reader(0, REMOTE_ADDR="198.51.100.1", HTTP_X_REAL_IP="203.0.113.10")
    assert reader_key(forged, article_id=1, day=day) == reader_key(
        forged_other, article_id=1, day=day
    )
