"""Views counted from nginx's beacon log: the parser, the same verdicts as the Django beacon,
the position saved with the counts (exactly once across crashes), rotation. Runs on both
backends: Redis with REDIS_URL (position in Redis), else the database."""

import os
import socket
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings

from gazette.analytics import beacon_log
from gazette.analytics.beacon_log import BeaconLogCounter, MalformedLine, beacon_path, parse_line
from gazette.analytics.counters import counter
from gazette.analytics.services import flush_views, views_of
from tests.factories import ArticleFactory, SectionFactory

from .common import BOTS, BROWSERS, CHROME, FIREFOX, PREFETCHES, reader

pytestmark = pytest.mark.django_db

REDIS = bool(settings.GAZETTE_VIEWS_REDIS_URL)


def _escape(value: bytes) -> bytes:
    """nginx's escape=json: quotes, backslashes and control bytes; other bytes as they are."""
    out = bytearray()
    for byte in value:
        if byte in (0x22, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte < 0x20:
            out += b"\\u%04x" % byte
        else:
            out.append(byte)
    return bytes(out)


def nginx_line(
    article_id, meta, *, method="POST", status=None, at=None, uri=None, pixel=False
) -> bytes:
    """A line as deploy/nginx.conf's gazette_beacon format writes it for this request."""
    if uri is None:
        uri = f"/analytics/views/{article_id}/" + ("pixel.gif" if pixel else "")
    if pixel:
        method = "GET"
    status = status if status is not None else (200 if method == "GET" else 204)
    at = at if at is not None else time.time()

    def header(name):
        value = meta.get(name, "")
        return _escape(value.encode("latin-1") if isinstance(value, str) else value)

    return (
        b'{"time":%.3f,"status":%d,"method":"%s","uri":"%s","remote":"%s",'
        b'"ua":"%s","sec_purpose":"%s","purpose":"%s","x_purpose":"%s","x_moz":"%s",'
        b'"dest":"%s","site":"%s"}\n'
        % (
            at,
            status,
            method.encode(),
            _escape(uri.encode()),
            meta["REMOTE_ADDR"].encode(),
            header("HTTP_USER_AGENT"),
            header("HTTP_SEC_PURPOSE"),
            header("HTTP_PURPOSE"),
            header("HTTP_X_PURPOSE"),
            header("HTTP_X_MOZ"),
            header("HTTP_SEC_FETCH_DEST"),
            header("HTTP_SEC_FETCH_SITE"),
        )
    )


@pytest.fixture
def section(home):
    return SectionFactory(parent=home)


@pytest.fixture
def article(section):
    return ArticleFactory(parent=section)


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "beacon.log"
    path.write_bytes(b"")
    return path


def _append(path, *lines):
    with open(path, "ab") as handle:
        for line in lines:
            handle.write(line)


def _stored_and_pending(article_id):
    flush_views()
    return views_of([article_id])[article_id]


# --- The parser ---------------------------------------------------------------------------


def test_a_line_reads_as_the_request_it_logged():
    at = datetime(2026, 12, 7, 23, 59, 59, 500000, tzinfo=UTC)
    line = nginx_line(42, reader(7, CHROME), at=at.timestamp()).rstrip(b"\n")
    beacon = parse_line(line, beacon_path())
    assert beacon.article_id == 42
    assert beacon.at == at
    assert beacon.meta["HTTP_USER_AGENT"] == CHROME
    assert beacon.meta["REMOTE_ADDR"] == "10.0.0.7"
    assert beacon.meta["HTTP_SEC_FETCH_DEST"] == "empty"


@pytest.mark.parametrize(
    "agent",
    [
        'Mozilla/5.0 "quoted" \\back\\slash',
        "Mozilla/5.0 tab\there newline\nthere \x01\x7f",
        "Mozilla/5.0 (Linux; Android 14; \xe9\xe8\xff) Latin-1 bytes",
        "x" * 20_000,  # very long: parsed, and classify calls it a bot
    ],
)
def test_hostile_agents_read_back_byte_for_byte(agent):
    line = nginx_line(3, reader(1, agent)).rstrip(b"\n")
    assert parse_line(line, beacon_path()).meta["HTTP_USER_AGENT"] == agent


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"garbage \xff\xfe\x00 bytes",
        b'{"time":1,"status":204,"method":"POST","uri":"/analytics/views/1/"',  # cut short
        b"[1, 2, 3]",
        b'{"time":"soon","status":204,"method":"POST","uri":"/analytics/views/1/","remote":"a"}',
        b'{"time":1e300,"status":204,"method":"POST","uri":"/analytics/views/1/","remote":"a"}',
        b'{"time":1,"status":204,"method":"POST","uri":"/analytics/views/x1/","remote":"a"}',
        b'{"time":1,"status":204,"method":"POST","uri":"/analytics/views/'
        + b"9" * 19
        + b'/","remote":"a"}',
        b'{"time":1,"status":204,"method":"POST","uri":"/elsewhere/","remote":"a"}',
        b'{"time":1,"status":204,"method":7,"uri":"/analytics/views/1/","remote":"a"}',
        b'{"time":1,"status":204,"method":"POST","uri":"/analytics/views/1/","remote":"a",'
        b'"ua":["list"]}',
    ],
)
def test_malformed_lines_are_refused(line):
    with pytest.raises(MalformedLine):
        parse_line(line, beacon_path())


@pytest.mark.parametrize(
    ("method", "status", "pixel"),
    [("POST", 429, False), ("GET", 429, True), ("HEAD", 200, True), ("GET", 204, False)],
)
def test_requests_nginx_did_not_answer_as_views_are_not_beacons(method, status, pixel):
    uri = "/analytics/views/5/" + ("pixel.gif" if pixel else "")
    line = nginx_line(5, reader(1), method=method, status=status, uri=uri).rstrip(b"\n")
    assert parse_line(line, beacon_path()) is None


def test_malformed_lines_are_skipped_and_counting_goes_on(log, article, caplog):
    _append(
        log,
        b"\xff\xfe garbage\n",
        b"x" * (beacon_log.MAX_LINE + 10) + b"\n",
        b'{"broken": \n',
        nginx_line(article.pk, reader(1)),
        b"\n",
        nginx_line(article.pk, reader(2)),
    )
    assert BeaconLogCounter(log).drain() == 2
    assert _stored_and_pending(article.pk) == 2
    assert caplog.text.count("skipped") == 3


def test_a_line_being_written_waits_for_its_end(log, article):
    whole = nginx_line(article.pk, reader(2))
    _append(log, nginx_line(article.pk, reader(1)), whole[:40])
    counting = BeaconLogCounter(log)
    assert counting.drain() == 1
    _append(log, whole[40:])
    assert counting.drain() == 1
    assert _stored_and_pending(article.pk) == 2


def test_a_very_long_line_still_being_written_is_skipped_once_finished(log, article):
    _append(log, nginx_line(article.pk, reader(1)), b'{"ua":"' + b"y" * (beacon_log.READ_CHUNK + 5))
    counting = BeaconLogCounter(log)
    assert counting.drain() == 1
    _append(log, b'"}\n', nginx_line(article.pk, reader(2)))
    assert counting.drain() == 1
    assert _stored_and_pending(article.pk) == 2


# --- The same verdicts as the Django beacon -----------------------------------------------


def test_the_log_counts_what_the_django_beacon_counts(client, section, log):
    """The same requests, once to the Django beacon (one article), once logged (another):
    bots, prefetches, other destinations and sites, repeats, all judged alike."""
    by_django, by_log = ArticleFactory(parent=section), ArticleFactory(parent=section)
    visitors = [reader(number, agent) for number, agent in enumerate(BROWSERS)]
    visitors += [reader(10 + number, agent) for number, agent in enumerate(BOTS)]
    visitors += [reader(30 + number, **headers) for number, headers in enumerate(PREFETCHES)]
    visitors += [
        reader(40, HTTP_SEC_FETCH_DEST="document"),
        reader(41, HTTP_SEC_FETCH_DEST="image"),
        reader(42, HTTP_SEC_FETCH_SITE="cross-site"),
        reader(43, FIREFOX + " " + "z" * 600),  # too long to be a browser's
        reader(0, BROWSERS[0]),  # a repeat of the first reader
        reader(44, "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/131.0 \xe9"),
    ]
    for meta in visitors:
        response = client.post(f"/analytics/views/{by_django.pk}/", **meta)
        assert response.status_code == 204
        _append(log, nginx_line(by_log.pk, meta))
    BeaconLogCounter(log).drain()
    expected = _stored_and_pending(by_django.pk)
    assert expected == len(BROWSERS) + 2  # the browsers, the pixel-like fetch (41), 44
    assert _stored_and_pending(by_log.pk) == expected


def test_the_same_reader_on_both_paths_counts_once(client, article, log):
    """A reader's key is the same from the log as from the app behind nginx (X-Real-IP)."""
    proxied = reader(9, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.0.0.9")
    assert client.post(f"/analytics/views/{article.pk}/", **proxied).status_code == 204
    _append(log, nginx_line(article.pk, reader(9)))
    BeaconLogCounter(log).drain()
    assert _stored_and_pending(article.pk) == 1


def test_unknown_unpublished_and_deleted_ids_are_dropped(log, article, section):
    draft = ArticleFactory(parent=section, live=False)
    _append(
        log,
        nginx_line(999_999, reader(1)),
        nginx_line(draft.pk, reader(1)),
        nginx_line(0, reader(1)),
        nginx_line(article.pk, reader(1)),
    )
    assert BeaconLogCounter(log).drain() == 1
    assert _stored_and_pending(article.pk) == 1
    assert _stored_and_pending(draft.pk) == 0


def test_the_pixel_counts_and_repeats_count_once_across_batches(log, article):
    _append(log, nginx_line(article.pk, reader(1, HTTP_SEC_FETCH_DEST="image"), pixel=True))
    counting = BeaconLogCounter(log)
    assert counting.drain() == 1
    _append(log, nginx_line(article.pk, reader(1)), nginx_line(article.pk, reader(1)))
    assert counting.drain() == 0
    assert _stored_and_pending(article.pk) == 1


def test_views_go_to_the_logged_hour(log, article):
    from gazette.analytics.models import HourlyViews

    earlier = time.time() - 3 * 3600
    _append(log, nginx_line(article.pk, reader(1), at=earlier), nginx_line(article.pk, reader(2)))
    BeaconLogCounter(log).drain()
    flush_views()
    hours = sorted(HourlyViews.objects.filter(article=article).values_list("hour", "views"))
    assert [views for _, views in hours] == [1, 1]
    assert int(hours[0][0].timestamp()) == int(earlier) // 3600 * 3600


# --- Position: exactly once ---------------------------------------------------------------


def test_a_restarted_counter_goes_on_from_the_saved_position(log, article):
    _append(log, *(nginx_line(article.pk, reader(n)) for n in range(5)))
    assert BeaconLogCounter(log).drain() == 5
    _append(log, *(nginx_line(article.pk, reader(n)) for n in range(5, 8)))
    assert BeaconLogCounter(log).drain() == 3  # a new process: only the new lines
    assert _stored_and_pending(article.pk) == 8


def test_a_crash_between_the_batch_and_its_answer_counts_it_once(log, article, monkeypatch):
    """The counts and the position are saved in one step; a process whose answer is lost
    after the step (it never learns the batch was saved) reads the batch again, and the store
    refuses it: the saved position is past it. A new process starts past it."""
    _append(log, *(nginx_line(article.pk, reader(n)) for n in range(4)))
    counting = BeaconLogCounter(log)
    counting.sync()
    real_count = counting.store.count

    def count_then_lose_the_answer(batch, views):
        believed = counting.store._saved
        real_count(batch, views)
        counting.store._saved = believed  # it never learned
        raise ConnectionError("the answer was lost")

    monkeypatch.setattr(counting.store, "count", count_then_lose_the_answer)
    with pytest.raises(ConnectionError):
        counting.step()
    monkeypatch.setattr(counting.store, "count", real_count)
    assert counting.drain() == 0
    assert BeaconLogCounter(log).drain() == 0
    _append(log, nginx_line(article.pk, reader(9)))
    assert counting.drain() == 1
    assert _stored_and_pending(article.pk) == 5


def test_a_stale_belief_is_refused_not_counted_twice(log, article):
    """A process that read a batch from a position no longer saved (its answer was lost, or a
    second counter runs) does not count it: it reads on from the position saved."""
    _append(log, *(nginx_line(article.pk, reader(n)) for n in range(3)))
    first, second = BeaconLogCounter(log), BeaconLogCounter(log)
    second.sync()  # reads from the start, as first does
    assert first.drain() == 3
    assert second.step() == (0, 0)  # refused: stale
    assert second.drain() == 0
    assert _stored_and_pending(article.pk) == 3


def test_a_failure_before_the_save_counts_the_batch_on_the_retry(log, article, monkeypatch):
    """Nothing is saved when the step fails before its end (Redis or the database lost): the
    batch is counted on the retry, once, its readers too."""
    _append(log, *(nginx_line(article.pk, reader(n)) for n in range(3)))
    counting = BeaconLogCounter(log)
    if REDIS:

        def lost(*args, **kwargs):
            raise ConnectionError("Redis went away")

        monkeypatch.setattr(counting.store.counter, "_count_logged", lost)
    else:
        import gazette.analytics.services as services

        real = services.write_batch

        def lost(batch, batch_id=None):
            real(batch, batch_id)  # written, then the transaction fails: rolled back
            raise ConnectionError("the database went away")

        monkeypatch.setattr(services, "write_batch", lost)
    with pytest.raises(ConnectionError):
        counting.step()
    monkeypatch.undo()
    counting.sync_later()
    assert counting.drain() == 3
    assert _stored_and_pending(article.pk) == 3


# --- Rotation -----------------------------------------------------------------------------


def test_rotation_loses_no_line_written_between_rename_and_reopen(log, article):
    """logrotate renames the log and tells nginx to reopen it; until nginx does, it writes
    to the renamed file. Those lines are counted, and the new file's, each once."""
    nginx = open(log, "ab")  # noqa: SIM115 - nginx's descriptor, kept across the rename
    nginx.write(nginx_line(article.pk, reader(1)))
    nginx.flush()
    counting = BeaconLogCounter(log, grace=0.2)
    assert counting.drain() == 1
    os.rename(log, str(log) + ".1")
    log.write_bytes(b"")  # logrotate's create
    nginx.write(nginx_line(article.pk, reader(2)))  # before the reopen: the old file
    nginx.flush()
    assert counting.drain() == 1
    nginx.write(nginx_line(article.pk, reader(3)))
    nginx.flush()
    nginx.close()
    nginx = open(log, "ab")  # noqa: SIM115 - the reopen
    nginx.write(nginx_line(article.pk, reader(4)))
    nginx.flush()
    assert counting.drain() == 1  # the old file's last line; the new file waits the grace
    time.sleep(0.3)
    assert counting.drain() == 1  # still at the old file's end: on to the new one
    nginx.write(nginx_line(article.pk, reader(5)))
    nginx.close()
    assert counting.drain() == 1
    assert BeaconLogCounter(log).drain() == 0  # a restart counts nothing again
    assert _stored_and_pending(article.pk) == 5


def test_a_restart_during_rotation_finds_the_renamed_file(log, article):
    _append(log, nginx_line(article.pk, reader(1)))
    assert BeaconLogCounter(log).drain() == 1
    _append(log, nginx_line(article.pk, reader(2)))  # written, not yet counted
    os.rename(log, str(log) + ".1")
    _append(log, nginx_line(article.pk, reader(3)))
    counting = BeaconLogCounter(log, grace=0.1)
    assert counting.drain() == 1  # the renamed file's rest
    time.sleep(0.2)
    assert counting.drain() == 1  # then the new file
    assert _stored_and_pending(article.pk) == 3


def test_a_truncated_log_is_counted_from_its_start(log, article):
    _append(log, nginx_line(article.pk, reader(1)), nginx_line(article.pk, reader(2)))
    counting = BeaconLogCounter(log)
    assert counting.drain() == 2
    with open(log, "wb") as handle:  # copytruncate
        handle.write(nginx_line(article.pk, reader(3)))
    assert counting.drain() == 1
    assert _stored_and_pending(article.pk) == 3


def test_a_missing_log_is_waited_for(tmp_path, article):
    path = tmp_path / "not-yet.log"
    counting = BeaconLogCounter(path)
    assert counting.step() is None
    _append(path, nginx_line(article.pk, reader(1)))
    assert counting.drain() == 1


def test_the_position_lives_where_the_views_wait(log, article):
    _append(log, nginx_line(article.pk, reader(1)))
    counting = BeaconLogCounter(log)
    counting.drain()
    stat = os.stat(log)
    expected = f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}"
    if REDIS:
        assert counter.remote.redis.get(counting.store.key) == expected
    else:
        from gazette.analytics.models import BeaconLogPosition

        name = f"{socket.gethostname()}:{log.resolve()}"
        assert BeaconLogPosition.objects.get(log=name).position == expected


def test_the_command_counts_what_is_there_once(log, article):
    from io import StringIO

    from django.core.management import call_command

    _append(log, nginx_line(article.pk, reader(1)), nginx_line(article.pk, reader(2)))
    out = StringIO()
    call_command("count_beacon_log", str(log), "--once", stdout=out)
    assert out.getvalue().strip() == "Counted 2 views."
    call_command("count_beacon_log", str(log), "--once", stdout=out)
    assert out.getvalue().strip().endswith("Counted 0 views.")
    assert _stored_and_pending(article.pk) == 2
