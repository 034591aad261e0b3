"""Telling readers from bots and prefetches, and recognising a reader without storing them."""

from datetime import date

import pytest
from crawlerdetect import CrawlerDetect
from hypothesis import given, settings
from hypothesis import strategies as st

from gazette.analytics import readers
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

    monkeypatch.setattr(readers, "is_crawler", never)
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


# Pieces user agents are made of, browsers' and bots', to build ones no list holds.
AGENT_PIECES = [
    "Mozilla/5.0 ",
    "(X11; Linux x86_64) ",
    "(Windows NT 10.0; Win64; x64) ",
    "(iPhone; CPU iPhone OS 17_5 like Mac OS X) ",
    "(Linux; Android 14; SM-S918B) ",
    "AppleWebKit/537.36 (KHTML, like Gecko) ",
    "Chrome/131.0.6778.85 ",
    "Mobile Safari/537.36 ",
    "Safari/605.1.15 ",
    "Firefox/133.0 ",
    "Edg/131.0.2903.86 ",
    "OPR/115.0.0.0 ",
    "YaBrowser/24.10.0.0 ",
    "SamsungBrowser/26.0 ",
    "[FBAN/FBIOS;FBAV/489.0.0.45.109;FBBV/657419542] ",
    "Instagram 357.0.0.25.101 ",
    "compatible; ",
    "Googlebot/2.1; +http://www.google.com/bot.html ",
    "bingbot/2.0 ",
    "HeadlessChrome/131.0.0.0 ",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Wget/1.21.3",
    "facebookexternalhit/1.1",
    "Slackbot-LinkExpanding 1.0",
    "spider ",
    "crawler ",
    "Mediapartners-Google ",
    "  ",
    "ÄÖ 日本語 ",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(AGENT_PIECES), min_size=1, max_size=8),
    version=st.integers(min_value=0, max_value=10**6),
    noise=st.text(max_size=20),
)
def test_the_crawler_verdict_is_the_detectors_own(pieces, version, noise):
    """The search cached on what is left after the exclusions answers as crawlerdetect does."""
    user_agent = ("".join(pieces) + f"/{version}.0 " + noise).strip()
    if user_agent:
        assert readers.is_crawler(user_agent) is CrawlerDetect().is_crawler(user_agent)


@pytest.mark.parametrize("user_agent", BROWSERS + BOTS[:-1])
def test_the_verdict_on_known_agents_is_the_detectors_own(user_agent):
    assert readers.is_crawler(user_agent) is CrawlerDetect().is_crawler(user_agent)


def test_new_versions_of_a_browser_share_one_search():
    """Every version number is an exclusion: a browser's next release costs no new search."""
    readers._crawler_in.cache_clear()
    for build in range(50):
        agent = f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.{build}.1"
        assert readers.is_crawler(agent) is False
    assert readers._crawler_in.cache_info().misses == 1
