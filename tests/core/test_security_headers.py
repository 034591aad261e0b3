"""Every reader response carries the security headers; the reader pages' policy allows no
inline script and nothing from other hosts."""

import pytest

from gazette.core.client import client_ip

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return dict(directive.split(" ", 1) for directive in directives if directive)


@pytest.mark.parametrize("path", ["/", "/authors/nobody/", "/healthz"])
def test_reader_responses_carry_security_headers(client, home, path):
    response = client.get(path)
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_article_page_has_the_strict_policy(client, seeded):
    response = client.get(seeded.article.url)
    assert _policy(response)["default-src"] == "'self'"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html


def test_forwarded_address_is_trusted_only_from_our_proxy(rf):
    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert client_ip(proxied) == "203.0.113.7"
    forged = rf.get("/", REMOTE_ADDR="198.51.100.2", HTTP_X_REAL_IP="203.0.113.7")
    assert client_ip(forged) == "198.51.100.2"
