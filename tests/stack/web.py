"""A reader's or an editor's HTTP client for the stack tests: cookies, forms, no magic."""

from __future__ import annotations

import time
from collections.abc import Callable
from html.parser import HTMLParser

import requests

# A browser's user agent: the view counter ignores what looks like a bot.
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
TIMEOUT = 15


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from a given local address: nginx and the app see another client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Client(requests.Session):
    """requests, with a base URL, a browser's user agent, no redirects followed and a timeout;
    from ``source`` (a loopback address such as 127.0.0.7) when given."""

    def __init__(self, base_url: str, *, source: str | None = None) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.headers["User-Agent"] = BROWSER
        if source:
            self.mount("http://", _FromAddress(source))

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class _Forms(HTMLParser):
    """Every <form> of a page with the fields a browser would submit as they stand."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "id": a.get("id"), "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value

    def handle_data(self, data):
        if self._textarea is not None and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self.forms:
            value = self._select_value if self._select_value is not None else self._first_option
            self.forms[-1]["fields"].append((self._select, value or ""))
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def log_in(client: Client, username: str, password: str) -> None:
    """Log in to the Wagtail admin as an editor does, with the login form."""
    page = client.get("/admin/login/")
    assert page.status_code == 200, page.status_code
    form = next(f for f in forms_of(page.text) if "password" in dict(f["fields"]))
    data = dict(form["fields"]) | {"username": username, "password": password}
    response = client.post("/admin/login/", data=data, headers={"Referer": client.base_url})
    assert response.status_code == 302, response.text[:2000]
    assert client.cookies.get("sessionid"), "no session after logging in"


def publish_new_article(client: Client, section_id: int, *, title: str, slug: str):
    """Add and publish an article in the admin's page editor, as an editor does."""
    add_url = f"/admin/pages/add/news/articlepage/{section_id}/"
    page = client.get(add_url)
    assert page.status_code == 200, page.status_code
    form = next(f for f in forms_of(page.text) if "title" in dict(f["fields"]))
    data = [
        (k, v) for k, v in form["fields"] if "__prefix__" not in k and k not in ("title", "slug")
    ]
    names = {k for k, _ in data}
    data += [("title", title), ("slug", slug), ("action-publish", "action-publish")]
    if "body-count" not in names:  # the StreamField's inputs are made by the editor's script
        data.append(("body-count", "0"))
    response = client.post(add_url, data=data, headers={"Referer": client.base_url + add_url})
    assert response.status_code == 302, _errors(response.text)
    return response


def _errors(html: str) -> str:
    """The admin's error messages, for a readable failure."""
    import re

    messages = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, flags=re.S)
    return "; ".join(m.strip() for m in messages if m.strip())[:2000] or html[:2000]


def wait_for(check: Callable[[], object], *, timeout: float, interval: float = 0.05):
    """Call ``check`` until it returns something true; return it and the seconds it took."""
    started = time.monotonic()
    while True:
        result = check()
        elapsed = time.monotonic() - started
        if result or elapsed > timeout:
            return result, elapsed
        time.sleep(interval)
