"""Every reader response carries the security headers; the reader pages' policy allows no
inline script and nothing from other hosts."""

import pytest
from csp.exceptions import CSPNonceError
from django.http import HttpResponse

from gazette.core.client import client_ip
from gazette.core.preview_framing import ContentSecurityPolicyMiddleware

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


def _django_csp_headers(request, response) -> dict[str, str]:
    """What django-csp's own middleware writes for this request and response."""
    from csp.middleware import CSPMiddleware

    plain = HttpResponse()
    for name, value in vars(response).items():
        if name.startswith("_csp"):
            setattr(plain, name, value)
    CSPMiddleware(lambda request: plain).process_response(request, plain)
    return {name: plain[name] for name in CSP_HEADERS if name in plain}


CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _ours(request, response) -> dict[str, str]:
    ContentSecurityPolicyMiddleware(lambda request: response).process_response(request, response)
    return {name: response[name] for name in CSP_HEADERS if name in response}


def test_the_kept_policy_is_django_csps_and_follows_the_settings(rf, settings):
    """The plain policy is built once per settings object: the same header as django-csp's,
    and a new one when the settings change (a kept header that ignored them fails here)."""
    request = rf.get("/world/story/")
    assert _ours(request, HttpResponse()) == _django_csp_headers(request, HttpResponse())

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://img.example"]}
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "EXCLUDE_URL_PREFIXES": ["/quiet/"],
        "DIRECTIVES": {"default-src": ["'none'"]},
    }
    request = rf.get("/world/story/")
    changed = _ours(request, HttpResponse())
    assert "https://img.example" in changed["Content-Security-Policy"]
    assert changed == _django_csp_headers(request, HttpResponse())
    assert "Content-Security-Policy-Report-Only" not in _ours(rf.get("/quiet/"), HttpResponse())


def test_a_response_with_a_policy_of_its_own_or_a_nonce_takes_django_csps_way(rf):
    from csp.decorators import csp_update

    @csp_update({"img-src": "https://maps.example"})
    def view(request):
        return HttpResponse()

    request = rf.get("/map/")
    response = view(request)
    assert "https://maps.example" in _ours(request, response)["Content-Security-Policy"]

    request = rf.get("/with-nonce/")
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    str(request.csp_nonce)  # asked by a template: the header must carry it
    response = HttpResponse()
    middleware.process_response(request, response)
    assert (
        response["Content-Security-Policy"]
        == (_django_csp_headers(request, HttpResponse())["Content-Security-Policy"])
    )

    # As django-csp: a nonce asked after the header is written is an error.
    request = rf.get("/late/")
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse())
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_an_excluded_prefix_gets_no_policy(rf):
    assert "Content-Security-Policy" not in _ours(rf.get("/admin/pages/"), HttpResponse())
