"""deploy/nginx.conf, filled in by deploy/stack.py, is a configuration nginx accepts, for the
loopback stack and for real hosts alike. What it does is tested through a running nginx in
tests/stack/."""

import http.client
import os
import re
import shutil
import signal
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from deploy import local_services, stack
from gazette.analytics.views import COUNT_SECONDS
from tests.loopback import serve_in_background

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="no nginx: apt-get install nginx libnginx-mod-http-cache-purge",
)


def render(tmp_path: Path, **overrides) -> str:
    values = {
        "upstreams": ["10.0.0.11:8000", "10.0.0.12:8000"],
        "listen": "127.0.0.1:8080",
        "static_root": tmp_path / "static",
        "media_root": tmp_path / "media",
        "state_dir": tmp_path,
        "log_dir": tmp_path,
        "purge_from": ["10.0.0.11", "10.0.0.12"],
        "user": None,
    }
    return stack.render_nginx_conf(**(values | overrides))


@needs_nginx
def test_rendered_config_passes_nginx_t(tmp_path):
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(tmp_path))
    result = subprocess.run(
        [stack.nginx_binary(), "-t", "-q", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_marker_is_filled_and_hosts_land_where_they_belong(tmp_path):
    text = render(tmp_path)
    assert "@@" not in text
    assert "server 10.0.0.11:8000 max_fails=3 fail_timeout=10s;" in text
    assert "server 10.0.0.12:8000" in text
    assert "allow 10.0.0.11;" in text and "allow 10.0.0.12;" in text
    assert "listen 127.0.0.1:8080;" in text
    assert f"alias {tmp_path / 'static'}/$static_path;" in text
    assert "proxy_cache_valid 200 301 302 404 1s;" in text


def test_brotli_only_when_its_module_is_installed(tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / stack.PURGE_MODULE).touch()
    without = render(tmp_path, modules_dir=modules)
    assert "brotli on;" not in without
    assert stack.BROTLI_MODULE not in without
    (modules / stack.BROTLI_MODULE).touch()
    with_brotli = render(tmp_path, modules_dir=modules)
    assert "brotli on;" in with_brotli
    assert f"load_module {modules / stack.BROTLI_MODULE};" in with_brotli


def test_without_the_purge_module_it_says_what_to_install(tmp_path):
    with pytest.raises(stack.StackError, match="libnginx-mod-http-cache-purge"):
        render(tmp_path, modules_dir=tmp_path)


# --- cache keys -------------------------------------------------------------------------------


def test_tracking_parameters_come_from_the_environment(tmp_path, monkeypatch):
    default = render(tmp_path)
    assert "utm_[^&=]*|fbclid|gclid" in default
    monkeypatch.setenv("GAZETTE_TRACKING_PARAMETERS", "campaign_*, ref")
    custom = render(tmp_path)
    assert "(?:campaign_[^&=]*|ref)(?:=" in custom
    assert "|fbclid" not in custom
    assert custom.count('"$1$2"') == stack.TRACKING_PASSES
    with pytest.raises(stack.StackError, match="not a query parameter name"):
        render(tmp_path, tracking_parameters=("utm_source)|(.*",))


def kept_parameters(conf: str) -> dict[str, list[str]]:
    """Each kind of page and the parameters its cache key keeps, in order, as nginx.conf says."""
    block = re.search(r"map \$gazette_route \$gazette_kept_args \{\n(.*?)\n    \}", conf, re.S)
    assert block, "no $gazette_kept_args map in nginx.conf"
    kept = {}
    for line in block[1].splitlines():
        found = re.match(r"\s*([\w-]+)\s+(.*);$", line)
        if found and found[1] != "default":
            kept[found[1]] = re.findall(r"\$gazette_(?:arg|int)_(\w+)", found[2])
    return kept


def test_cache_keys_keep_exactly_what_each_page_reads(tmp_path):
    from gazette.comments.presentation import NOTICES, PAGE_PARAM, STATUS_PARAM
    from gazette.distribution.api import api
    from gazette.search import views as search

    conf = render(tmp_path)
    kept = kept_parameters(conf)
    from gazette.importers.middleware import OLD_LINK_PARAMETERS

    assert kept["home"] == list(OLD_LINK_PARAMETERS) and kept["fixed"] == []
    assert kept["search"] == list(search.PARAMETERS)
    # Section and author pages: SectionPage.get_context and people.views read "page".
    assert kept["listing"] == ["page"]
    assert kept["article"] == [PAGE_PARAM, STATUS_PARAM]
    notices = re.search(r"map \$arg_comment \$gazette_arg_comment \{(.*?)\}", conf, re.S)[1]
    assert set(re.findall(r"^\s*(\w+)\s+\"&comment=\1\";", notices, re.M)) == set(NOTICES)

    schema = api.get_openapi_schema(path_prefix="/api/v1")

    def query_parameters(path: str) -> list[str]:
        operation = schema["paths"][path]["get"]
        return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]

    routes = {
        "/api/v1/articles": "api-articles",
        "/api/v1/articles/most-read": "api-most-read",
        "/api/v1/sections": "api-listing",
        "/api/v1/authors": "api-listing",
    }
    for path in schema["paths"]:
        wanted = kept[routes[path]] if path in routes else []
        assert query_parameters(path) == wanted, path


# What the app sends with every page besides its content (gazette.settings: CSP, security
# headers): about 500 bytes, which sit in nginx's first buffer behind the cache key.
APP_HEADERS = {
    "Vary": "Cookie",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "script-src 'self'; connect-src 'self'; base-uri 'self'; img-src 'self' data:; "
        "style-src 'self'; frame-ancestors 'none'; object-src 'none'; default-src 'self'; "
        "form-action 'self'; font-src 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _Echo(BaseHTTPRequestHandler):
    """An app server that answers every request with the URI it was asked for."""

    def do_GET(self):
        body = self.path.encode()
        if "app-says-429" in self.path:  # the app's own rate limit, with its own Retry-After
            self.send_response(429)
            self.send_header("Retry-After", "30")
        else:
            self.send_response(200)
        for name, value in APP_HEADERS.items():
            self.send_header(name, value)
        if self.path.endswith("/count"):  # as analytics.views.count answers
            self.send_header("Cache-Control", f"public, max-age=0, s-maxage={COUNT_SECONDS}")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def start_edge(tmp_path):
    """deploy/nginx.conf, rendered as for a host (``render``'s overrides), in front of an app
    server that echoes the URI it gets (the page's cache key: nginx asks the app with exactly
    its key). Returns nginx's URL. ``edit`` changes the rendered text; ``name`` runs a second
    nginx beside the first, in a directory of its own."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    serve_in_background(app)
    started = []

    def start(edit=None, name="", **overrides) -> str:
        port = local_services.free_port()
        directory = tmp_path / name
        (directory / "tmp").mkdir(parents=True, exist_ok=True)
        conf = directory / "nginx.conf"
        values = {
            "upstreams": [f"127.0.0.1:{app.server_address[1]}"],
            "listen": f"127.0.0.1:{port}",
            "purge_from": ["127.0.0.1"],
            "user": "root" if os.geteuid() == 0 else None,
            "worker_processes": "1",
            "edge_limits": {name: None for name in stack.EDGE_LIMITS},
        }
        text = render(directory, **(values | overrides))
        conf.write_text(edit(text) if edit else text)
        subprocess.run([stack.nginx_binary(), "-c", str(conf), "-p", str(directory)], check=True)
        started.append(directory / "nginx.pid")
        return f"http://127.0.0.1:{port}"

    try:
        yield start
    finally:
        for pid in started:
            if pid.exists():
                os.kill(int(pid.read_text()), signal.SIGQUIT)
        app.shutdown()


@pytest.fixture
def edge(start_edge):
    return start_edge()


def asked(edge: str, path: str) -> str:
    """The URI the app got for ``path``, sent exactly as written (no client normalises it)."""
    connection = http.client.HTTPConnection(edge.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode()
    finally:
        connection.close()


@needs_nginx
@pytest.mark.parametrize(
    ("path", "key"),
    [
        # Tracking and unknown parameters: gone; the page's own: kept, in their order.
        ("/world/story/?utm_source=mail&fbclid=x&page=3", "/world/story/"),
        (
            "/world/story/?comment=PENDING&comments_page=2&gclid=1",
            "/world/story/?comments_page=2&comment=pending",
        ),
        ("/world/story/?comment=<script>&comments_page=1", "/world/story/"),
        ("/world/?utm_campaign=x&page=4&comments_page=2", "/world/?page=4"),
        ("/world/?page=abc", "/world/"),
        ("/world/?page=01", "/world/"),
        ("/authors/kim/?PAGE=2&x=1", "/authors/kim/?page=2"),
        ("/?page=2&utm_source=x", "/"),
        ("/?utm_source=x&p=101", "/?p=101"),  # an imported WordPress short link: 301 from the app
        ("/?p=abc&page_id=7", "/?page_id=7"),
        (
            "/search/?utm_source=x&page=2&q=korea&q=again&order=newest&zz=1",
            "/search/?q=korea&order=newest&page=2",
        ),
        ("/%73earch/?q=korea&x=1", "/%73earch/?q=korea"),
        # A second-language edition's search and author pages, as the site's own.
        ("/ko/search/?zz=1&q=%ED%99%8D%EC%88%98&page=2", "/ko/search/?q=%ED%99%8D%EC%88%98&page=2"),
        ("/ko/authors/kim/?x=1&page=2", "/ko/authors/kim/?page=2"),
        ("/ko/world/floods/?utm_source=x&comments_page=2", "/ko/world/floods/?comments_page=2"),
        (
            "/api/v1/articles?foo=1&published_before=2024&page=x&section=world",
            "/api/v1/articles?page=x&section=world&published_before=2024",
        ),
        ("/api/v1/articles/most-read?limit=5&page=2", "/api/v1/articles/most-read?limit=5"),
        ("/api/v1/authors?page_size=5&utm_medium=x", "/api/v1/authors?page_size=5"),
        ("/api/v1/articles/12?x=1", "/api/v1/articles/12"),
        ("/feeds/rss.xml?utm_source=reader", "/feeds/rss.xml"),
        ("/sitemap.xml?x=1", "/sitemap.xml"),
        # Not a reader page: the query stays but for the tracking parameters.
        ("/documents/1/a.pdf?utm_source=x&download=1&GCLID=2", "/documents/1/a.pdf?download=1"),
        ("/world?utm_source=x", "/world"),
        ("/a/b/c/?utm_source=x", "/a/b/c/"),
        # No query, or an empty one: none kept (the route is never worked out).
        ("/world/story/", "/world/story/"),
        ("/world/story/?", "/world/story/"),
        ("/documents/1/a.pdf?", "/documents/1/a.pdf"),
        # Only /_purge/ itself is a purge's prefix.
        ("/_purgeless/story/?utm_source=x", "/_purgeless/story/"),
    ],
)
def test_a_page_is_asked_for_and_cached_under_its_own_parameters(edge, path, key):
    assert asked(edge, path) == key


# --- a query of tracking parameters only -----------------------------------------------------
# One regular expression on the query answers for it, before the route is worked out
# (deploy/nginx.conf, $gazette_query): it must give every route the key the route would.

TRACKING_ONLY = re.compile(r'\n {8}"~\*\^[^\n]*\{0,\d+\}\$" "";')


def without_the_shortcut(conf: str) -> str:
    """The config as before it: every query with a value worked out by its route."""
    conf, found = TRACKING_ONLY.subn("", conf)
    assert found == 1, "no tracking-only line in the $gazette_query map"
    return conf


def test_the_shortcut_leaves_out_a_tracking_name_a_page_reads(tmp_path):
    assert TRACKING_ONLY.search(render(tmp_path))
    # "page" and "q*" (q, and any name starting with it) could be parameters pages keep.
    line = TRACKING_ONLY.search(render(tmp_path, tracking_parameters=("utm_*", "PAGE", "q*")))[0]
    assert "(?:utm_[^&=]*+)(?:=" in line and "page" not in line.lower() and "q" not in line
    assert f"{{0,{stack.TRACKING_PASSES - 1}}}" in line
    for names in (("page", "comment*"), ()):
        conf = render(tmp_path, tracking_parameters=names)
        assert not TRACKING_ONLY.search(conf)
        assert "every query is routed" in conf


ROUTES = (
    "/",
    "/world/",
    "/world/story/",
    "/authors/kim/",
    "/search/",
    "/ko/search/",
    "/api/v1/articles",
    "/feeds/rss.xml",
    "/documents/1/a.pdf",  # not a reader page: the query but for tracking parameters
    "/world",
)
NINE = "&".join(f"utm_p{n}={n}" for n in range(9))
HOSTILE_QUERIES = (
    # Tracking parameters only: no parameter kept, whatever the route.
    "utm_source=x",
    "utm_source=a&utm_source=b",  # a repeated key
    "fbclid",
    "fbclid=",
    "utm_=x",
    "UTM_Source=x&FbClid=y&_GA=1",
    "utm_source=a%26page%3D2",  # an encoded separator is part of the value
    "utm_source=a=b&gclid=%00",
    "utm_source=" + "x" * 7000,  # very long
    "&".join(f"utm_p{n}={n}" for n in range(8)),  # as many as the route would take out
    # Not only tracking parameters: the route decides, as before.
    NINE,  # one more than that: a page that is not a reader's keeps the ninth
    "utm_source=x&",
    "&utm_source=x",
    "utm_source=x&&fbclid=y",
    "utm_source=x;page=2",
    "%75tm_source=x",  # an encoded name is not a tracking parameter's
    "fbclidx=1",
    "utm_source=x&page=2",
    "page=2&utm_source=x&q=korea&order=newest",
    "utm_medium=x&comments_page=2&comment=pending&x=1",
    "utm_source=x&p=101&page_id=7",
    "utm_source=x&page_size=5&" + "fbclid=" + "y" * 3000,
)


@needs_nginx
def test_a_query_of_tracking_parameters_only_keys_as_its_route_would(start_edge):
    edge = start_edge()
    before = start_edge(edit=without_the_shortcut, name="before")
    differ = [
        (path, query[:60], got, expected)
        for path in ROUTES
        for query in HOSTILE_QUERIES
        if (got := asked(edge, f"{path}?{query}")) != (expected := asked(before, f"{path}?{query}"))
    ]
    assert differ == []
    for path in ROUTES:
        for query in HOSTILE_QUERIES[:10]:
            assert asked(edge, f"{path}?{query}") == path
    assert asked(edge, f"/documents/1/a.pdf?{NINE}") == "/documents/1/a.pdf?utm_p8=8"
    assert asked(edge, "/world/story/?utm_source=x&&fbclid=y") == "/world/story/"


@needs_nginx
def test_a_purge_drops_the_entry_every_tracking_link_shares(edge):
    def cache(path):
        return requests.get(edge + path, timeout=10).headers["X-Cache-Status"]

    assert cache("/world/story/?utm_source=a") == "MISS"
    assert cache("/world/story/?fbclid=b") == "HIT"
    assert requests.request("PURGE", edge + "/_purge/world/story/", timeout=10).status_code == 200
    assert cache("/world/story/?utm_medium=c") == "MISS"
    # A purge that carries tracking parameters names the same entry.
    purge = requests.request(
        "PURGE", edge + "/_purge/world/story/?utm_source=x&gclid=1", timeout=10
    )
    assert purge.status_code == 200
    assert cache("/world/story/?fbclid=d") == "MISS"


@needs_nginx
def test_a_purge_with_a_query_drops_that_page_only(edge):
    def cache(path):
        return requests.get(edge + path, timeout=10).headers["X-Cache-Status"]

    for path in ("/search/?q=korea", "/search/"):
        assert cache(path) == "MISS"
    purge = requests.request("PURGE", edge + "/_purge/search/?utm_source=x&q=korea", timeout=10)
    assert purge.status_code == 200
    assert cache("/search/?q=korea") == "MISS"
    assert cache("/search/") == "HIT"


# --- request limits ---------------------------------------------------------------------------


def status_of(edge: str, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection(edge.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


@needs_nginx
@pytest.mark.parametrize("length", [1024, 3300, 3400, 3500, 3600, 3700, 4096, 6000, 8000, 8170])
def test_a_url_under_the_limit_reaches_the_app_and_is_cached(edge, length):
    # The cache key is the URL: with 4 KB buffers, 3.3 KB URLs gave "too big header", a 502.
    path = "/search/?q=" + "x" * (length - len("/search/?q="))
    assert status_of(edge, path) == 200
    assert asked(edge, path) == path


@needs_nginx
def test_what_is_too_large_is_refused_at_nginx(edge):
    assert status_of(edge, "/search/?q=" + "x" * 8200) == 414
    assert status_of(edge, "/", {"X-Filler": "x" * 8000}) == 200
    assert status_of(edge, "/", {"X-Filler": "x" * 8200}) == 400
    many = {f"X-Filler-{n}": "x" * 1000 for n in range(40)}  # 40 KB in all
    assert status_of(edge, "/", many) == 400


# --- edge rate limits -------------------------------------------------------------------------


def test_edge_limits_come_from_the_environment(tmp_path, monkeypatch):
    defaults = render(tmp_path)
    for name in stack.EDGE_LIMITS:
        assert f"limit_req zone=gazette_{name} " in defaults
    monkeypatch.setenv("GAZETTE_EDGE_LIMIT_SEARCH", "30r/m burst=5")
    monkeypatch.setenv("GAZETTE_EDGE_LIMIT_BEACON", "off")
    custom = render(tmp_path)
    assert "zone=gazette_search:10m rate=30r/m;" in custom
    assert "limit_req zone=gazette_search burst=5 nodelay;" in custom
    assert "search 2;" in custom  # Retry-After: one request comes free every 2 s
    assert "zone=gazette_beacon" not in custom
    monkeypatch.setenv("GAZETTE_EDGE_LIMIT_API", "lots")
    with pytest.raises(stack.StackError, match="not an edge limit"):
        render(tmp_path)


def test_edge_limit_parsing():
    assert stack.EdgeLimit.parse("5r/s burst=20") == stack.EdgeLimit(5, "s", 20)
    assert stack.EdgeLimit.parse("10r/m") == stack.EdgeLimit(10, "m", 0)
    assert stack.EdgeLimit.parse("off") is None
    assert stack.EdgeLimit.parse("10r/m").retry_after == 6
    assert stack.EdgeLimit.parse("3r/s").retry_after == 1
    for bad in ("0r/s", "5/s", "5r/h", "burst=5"):
        with pytest.raises(stack.StackError):
            stack.EdgeLimit.parse(bad)


def test_a_load_balancer_in_front_names_the_client(tmp_path):
    conf = render(tmp_path, real_ip_from=["10.0.0.0/8", "192.0.2.7"])
    assert "set_real_ip_from 10.0.0.0/8;\n    set_real_ip_from 192.0.2.7;" in conf
    assert "real_ip_header X-Forwarded-For;" in conf
    assert "set_real_ip_from" not in render(tmp_path)


def client_from(address: str) -> requests.Session:
    """A client whose connections come from ``address`` (any of 127.0.0.0/8)."""
    session = requests.Session()

    class FromAddress(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session.mount("http://", FromAddress())
    return session


@needs_nginx
def test_beyond_a_burst_a_client_gets_429_with_retry_after(start_edge):
    limit = stack.EdgeLimit.parse("1r/m burst=2")  # three at once, then one a minute
    edge = start_edge(edge_limits={name: limit for name in stack.EDGE_LIMITS})
    for index, (method, path, ok) in enumerate(
        [
            ("GET", "/search/?q=korea", 200),
            ("GET", "/ko/search/?q=korea", 200),
            ("GET", "/api/v1/articles", 200),
            ("POST", "/comments/5/post/", 200),
            ("POST", "/analytics/views/5/", 204),  # answered by nginx, after the limit
            ("GET", "/analytics/views/6/pixel.gif", 200),
            ("GET", "/analytics/views/7/count", 200),
        ]
    ):
        # The beacon and the pixel share a zone: an address of their own each.
        reader, neighbour = client_from(f"127.0.1.{index}"), client_from(f"127.0.2.{index}")
        answers = [reader.request(method, edge + path, timeout=10) for _ in range(4)]
        assert [a.status_code for a in answers] == [ok, ok, ok, 429], path
        assert [a.headers.get("Retry-After") for a in answers] == [None, None, None, "60"]
        # Per client: another address still gets through.
        assert neighbour.request(method, edge + path, timeout=10).status_code == ok
    # Pages that are not limited, and the app's own 429 keeps its own Retry-After.
    reader = client_from("127.0.1.0")
    assert {reader.get(edge + "/world/", timeout=10).status_code for _ in range(5)} == {200}
    assert {reader.get(edge + "/ko/world/", timeout=10).status_code for _ in range(5)} == {200}
    own = client_from("127.0.0.3").get(edge + "/search/?q=app-says-429", timeout=10)
    assert own.status_code == 429 and own.headers["Retry-After"] == "30"


@needs_nginx
def test_a_views_beacon_and_its_count_spend_a_token_each_of_their_own_limits(start_edge):
    """views.js sends the beacon, then asks the count: a reader at the beacon's limit still
    gets the count, and one at the count's limit still has their views counted."""
    limit = stack.EdgeLimit.parse("1r/m burst=2")
    others = {name: None for name in stack.EDGE_LIMITS}
    edge = start_edge(edge_limits=others | {"beacon": limit, "count": limit})
    reader = client_from("127.0.3.1")
    beacons = [reader.post(edge + f"/analytics/views/{n}/", timeout=10) for n in (1, 2, 3, 4)]
    assert [b.status_code for b in beacons] == [204, 204, 204, 429]
    counts = [reader.get(edge + f"/analytics/views/{n}/count", timeout=10) for n in (1, 2, 3, 4)]
    assert [c.status_code for c in counts] == [200, 200, 200, 429]
    assert reader.get(edge + "/analytics/views/5/pixel.gif", timeout=10).status_code == 429


@needs_nginx
def test_the_count_without_a_limit_of_its_own_is_not_limited_as_the_beacon(start_edge):
    """The beacon's locations are nested in /analytics/views/, which sets no limit of its own
    (a nested location takes its parent's when it sets none): the count, its limit off, is
    not held to the beacon's; the rest of /analytics/ is, as before."""
    limit = stack.EdgeLimit.parse("1r/m burst=1")
    edge = start_edge(edge_limits={name: None for name in stack.EDGE_LIMITS} | {"beacon": limit})
    reader = client_from("127.0.4.1")
    counts = [reader.get(edge + f"/analytics/views/{n}/count", timeout=10) for n in range(5)]
    assert {c.status_code for c in counts} == {200}
    for index, path in enumerate(("/analytics/views/12/x", "/analytics/other/")):
        reader = client_from(f"127.0.4.{index + 2}")
        answers = [reader.get(edge + path, timeout=10).status_code for _ in range(3)]
        assert answers == [200, 200, 429], path


@needs_nginx
def test_nginx_answers_the_beacon_and_logs_what_counting_needs(start_edge, tmp_path):
    """The POST and the pixel never reach the app: nginx answers them and writes them to the
    beacon log, in lines the counter reads back as the requests they were."""
    import django

    django.setup()
    from gazette.analytics.beacon_log import beacon_path, parse_line

    edge = start_edge()
    agent = 'Mozilla/5.0 "quoted" \\ Firefox/131.0'
    headers = {"User-Agent": agent, "Sec-Fetch-Dest": "empty", "Sec-Fetch-Site": "same-origin"}
    posted = requests.post(edge + "/analytics/views/5/", headers=headers, timeout=10)
    assert posted.status_code == 204 and posted.content == b""
    assert "no-store" in posted.headers["Cache-Control"]
    pixel = requests.get(
        edge + "/analytics/views/5/pixel.gif",
        headers=headers | {"Sec-Fetch-Dest": "image", "Sec-Purpose": "prefetch"},
        timeout=10,
    )
    assert pixel.status_code == 200 and pixel.content.startswith(b"GIF89a")
    assert pixel.headers["Content-Type"] == "image/gif"
    assert "no-store" in pixel.headers["Cache-Control"]
    # Not the beacon's: to the app (which answers them as ever).
    assert asked(edge, "/analytics/views/5/") == "/analytics/views/5/"  # a GET: 405 from the app
    assert asked(edge, "/analytics/views/5x/") == "/analytics/views/5x/"
    assert asked(edge, "/analytics/views/" + "1" * 19 + "/") == "/analytics/views/" + "1" * 19 + "/"

    lines = (tmp_path / "beacon.log").read_bytes().splitlines()
    beacons = [parse_line(line, beacon_path()) for line in lines]
    beacons = [beacon for beacon in beacons if beacon is not None]  # the GET: not a beacon
    assert [beacon.article_id for beacon in beacons] == [5, 5]
    assert beacons[0].meta["HTTP_USER_AGENT"] == agent
    assert beacons[0].meta["REMOTE_ADDR"] == "127.0.0.1"
    assert beacons[0].meta["HTTP_SEC_FETCH_DEST"] == "empty"
    assert beacons[1].meta["HTTP_SEC_PURPOSE"] == "prefetch"
    assert beacons[1].meta["HTTP_SEC_FETCH_DEST"] == "image"


@needs_nginx
def test_the_count_is_asked_of_the_app_and_kept_a_few_seconds(edge):
    first = requests.get(edge + "/analytics/views/8/count?x=1", timeout=10)
    assert first.text == "/analytics/views/8/count"  # no query to the app
    assert first.headers["X-Cache-Status"] == "MISS"
    again = requests.get(edge + "/analytics/views/8/count", timeout=10)
    assert again.headers["X-Cache-Status"] == "HIT"


# --- which location answers ---------------------------------------------------------------
# No regular expression location at the server level (a page would test each of them): the
# hashed static files, the admin and the beacon, pixel and count locations are nested in
# their prefixes. Hostile paths land where they did when they were tested in order.


def answered_by(edge: str, method: str, path: str) -> str:
    """Which location answered, from what it does: the app (and the URI it got), the page
    cache, the beacon's 204, the pixel, a static file (hashed or not), or nginx's status."""
    connection = http.client.HTTPConnection(edge.removeprefix("http://"), timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status == 204:
        return "beacon 204"
    if 300 <= response.status < 400:
        return f"{response.status} to {urlsplit(response.getheader('Location')).path}"
    if body.startswith(b"GIF8"):
        return "pixel"
    if response.getheader("Cache-Control") == "public, max-age=31536000, immutable" and not (
        response.getheader("Expires")
    ):
        return f"static, hashed: {body.decode()}"
    if response.getheader("Expires"):
        return f"static: {body.decode()}"
    if response.status >= 400 and not body.startswith(b"/"):
        return str(response.status)
    if response.getheader("X-Cache-Status"):
        return f"cached: {body.decode()}"
    return f"app: {body.decode()}"


LONG = "a" * 3000
WHERE = [
    ("GET", "/world/story/", "cached: /world/story/"),
    ("GET", "/static/app.0123456789ab.css", "static, hashed: hashed"),
    ("GET", "/static/app.css", "static: plain"),
    ("GET", "/static/%61pp.0123456789ab.css", "static, hashed: hashed"),
    ("GET", "/static/x/../app.0123456789ab.css", "static, hashed: hashed"),
    ("GET", "/static/app.0123456789AB.css", "404"),  # not a hash: the unhashed location
    ("GET", "/static/app.0123456789ab.css/", "404"),
    ("GET", "//static//app.0123456789ab.css", "static, hashed: hashed"),
    ("GET", "/admin/pages/?q=x&q=y", "app: /admin/pages/?q=x&q=y"),
    ("GET", "/%61dmin/", "app: /%61dmin/"),
    ("GET", "/adminx/", "cached: /adminx/"),
    ("GET", "/admin", "cached: /admin"),  # as any page: no redirect of nginx's own
    ("GET", "/django-admin", "cached: /django-admin"),
    ("GET", "/analytics", "301 to /analytics/"),  # /analytics/'s own redirect, as before
    ("GET", "/analytics/views", "app: /analytics/views"),
    ("GET", "/django-admin/x/?" + LONG, "app: /django-admin/x/?" + LONG),
    ("GET", "/Admin/", "cached: /Admin/"),
    ("POST", "/analytics/views/12/", "beacon 204"),
    ("POST", "/%61nalytics/views/12/", "beacon 204"),
    ("POST", "//analytics//views/12/", "beacon 204"),
    ("POST", "/analytics/views/12/?utm_source=x&utm_source=y", "beacon 204"),
    ("GET", "/analytics/views/12/", "app: /analytics/views/12/"),
    ("POST", "/analytics/views/" + "1" * 19 + "/", "app: /analytics/views/" + "1" * 19 + "/"),
    ("POST", "/analytics/views/12/x", "app: /analytics/views/12/x"),
    ("GET", "/analytics/views/12/pixel.gif", "pixel"),
    ("GET", "/analytics/views/12/pixel%2Egif?" + LONG, "pixel"),
    ("GET", "/analytics/views/12/pixelXgif", "app: /analytics/views/12/pixelXgif"),
    ("GET", "/analytics/views/12/count", "cached: /analytics/views/12/count"),
    ("GET", "/analytics/views/%31%32/count?x=1", "cached: /analytics/views/12/count"),
    ("GET", "/analytics/views/12/count/", "app: /analytics/views/12/count/"),
    ("GET", "/analytics/other/?a=1&a=2", "app: /analytics/other/?a=1&a=2"),
    ("GET", "/static/../analytics/views/12/pixel.gif", "pixel"),
    ("GET", "/media/../admin/", "app: /media/../admin/"),
    ("GET", "/_purge/../analytics/views/12/pixel.gif", "pixel"),
]


@needs_nginx
def test_each_path_is_answered_by_its_location(start_edge, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.0123456789ab.css").write_text("hashed")
    (static / "app.css").write_text("plain")
    edge = start_edge()
    differ = [
        (method, path[:60], got[:80], where[:80])
        for method, path, where in WHERE
        if (got := answered_by(edge, method, path)) != where
    ]
    assert differ == []
