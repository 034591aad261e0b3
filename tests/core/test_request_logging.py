"""Every response carries a request id, and every log line of the request carries the same;
production logs are one JSON object per line (gazette.core.request_id, json_logging)."""

import io
import json
import logging
import re

import pytest

from gazette.core.json_logging import JsonFormatter
from gazette.core.request_id import RequestIdFilter

pytestmark = pytest.mark.django_db


def test_each_response_gets_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_id_nginx_made_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="5f0c3b8e9d2a4e71a6b0c1d2e3f40506")
    assert response["X-Request-ID"] == "5f0c3b8e9d2a4e71a6b0c1d2e3f40506"


@pytest.mark.parametrize("forged", ["short", "two words here", 'x"}\n{"level": "ERROR"', "é" * 20])
def test_a_malformed_id_is_replaced_not_logged(client, forged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.fixture
def json_log():
    """The production handler (JSON formatter, request id filter) on django.request."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_log_lines_of_a_request_carry_its_id(client, json_log, home):
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    not_found = [line for line in lines if line["message"].startswith("Not Found")]
    assert not_found, lines
    entry = not_found[-1]
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert entry["path"] == "/no-such-page-here/"
    assert entry["status_code"] == 404
    assert entry["time"].endswith("+00:00")


def test_json_formatter_keeps_extras_and_exceptions():
    logger = logging.getLogger("gazette.test-json")
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        __file__,
        1,
        "imported %s",
        ("page.txt",),
        None,
        extra={"article_id": 42, "odd": object()},
    )
    try:
        raise ValueError("bad line")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "imported page.txt"
    assert entry["article_id"] == 42
    assert entry["odd"].startswith("<object object")
    assert "ValueError: bad line" in entry["exception"]
    assert entry["request_id"] is None  # outside a request
