"""Ghost from its npm package (the version below: the last that runs on Node 20; Ghost 6 needs
Node 22), production mode on SQLite as ghost-cli's local install uses, its default theme
(Source), behind nginx without a page cache, as ghost-cli configures nginx.

Ghost is installed once into var/peers/ghost/<version>/ (gitignored) the way ghost-cli does it:
the package's tarball from the npm registry, unpacked, its production dependencies installed
(npm, with the package's yarn resolutions as npm overrides; its lockfile is left out: it
names the monorepo's development packages, some only on hosts this machine cannot reach).

The reference article, its pictures and tags go through Ghost's Admin API; generated posts
are copied into its database from the shape of one the API made (the API takes tens of
milliseconds a post), with Ghost stopped, which rebuilds its routes when it starts again.
"""

from __future__ import annotations

import http.cookiejar
import json
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import urllib.request
import uuid
from copy import deepcopy
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from bench.peer_sites import base
from deploy.local_services import free_port

VERSION = "5.130.4"
INSTALLS = base.REPOSITORY / "var" / "peers" / "ghost"
EMAIL = "daniel.kim@example.com"


class Ghost(base.Platform):
    name = "ghost"
    label = "Ghost"
    # Members' comments (on for all members here); its comments app renders them in the
    # browser, from a script on a CDN: the page's HTML has none.
    comments = True

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.app = INSTALLS / VERSION
        self.port = free_port()
        self.app_port = free_port()
        self.nginx = base.Nginx(
            "ghost.conf", root / "nginx", self.port, APP_PORT=str(self.app_port)
        )
        self.node = None
        self.password = secrets.token_urlsafe(16)
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.template: dict | None = None
        self.tags: dict[str, str] = {}
        self.author_id = ""
        self.bench_member = ""
        self.bench_cookie = ""

    # --- install ---

    def install(self) -> None:
        node = base.which("node")
        version = subprocess.run(  # noqa: S603 - node from PATH
            [node, "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        major, minor = (int(x) for x in version.lstrip("v").split(".")[:2])
        if (major, minor) < (20, 11):
            raise base.Unavailable(f"Ghost {VERSION} needs Node 20.11 or later, not {version}")
        if not (self.app / ".bench-installed").exists():
            self._install_package()
        self.setup = {
            "Ghost": f"{VERSION} (npm), production mode, SQLite, theme Source",
            "Node": version,
            "nginx": base.package_version("nginx") + ", reverse proxy, no page cache, 1 worker",
        }

    def _install_package(self) -> None:
        npm = base.which("npm")
        base.log(f"installing Ghost {VERSION} into {self.app} (once; takes minutes)")
        shutil.rmtree(self.app, ignore_errors=True)
        with tempfile.TemporaryDirectory() as scratch:
            done = subprocess.run(  # noqa: S603
                [npm, "pack", f"ghost@{VERSION}", "--pack-destination", scratch],
                capture_output=True,
                text=True,
                check=False,
                cwd=scratch,
            )
            if done.returncode != 0:
                raise base.Unavailable(f"npm pack ghost@{VERSION} failed: {done.stderr[-800:]}")
            with tarfile.open(next(Path(scratch).glob("ghost-*.tgz"))) as archive:
                archive.extractall(scratch, filter="data")
            self.app.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(Path(scratch) / "package", self.app)
        package = json.loads((self.app / "package.json").read_text())
        package.pop("devDependencies", None)
        package["overrides"] = package.pop("resolutions", {})
        (self.app / "package.json").write_text(json.dumps(package, indent=2))
        (self.app / "yarn.lock").unlink(missing_ok=True)
        done = subprocess.run(  # noqa: S603
            [npm, "install", "--omit=dev", "--legacy-peer-deps", "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.app,
        )
        if done.returncode != 0:
            raise base.Unavailable(
                f"npm install (Ghost's dependencies) failed: {done.stderr[-800:]}"
            )
        if not list((self.app / "node_modules" / "sqlite3").glob("**/node_sqlite3.node")):
            raise base.Unavailable(
                "the sqlite3 module did not build (node headers: /usr/include/node)"
            )
        (self.app / ".bench-installed").write_text(VERSION)

    # --- run ---

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.app / "content", self.root / "content", dirs_exist_ok=True)
        (self.root / "content" / "data").mkdir(exist_ok=True)
        (self.root / "log").mkdir(exist_ok=True)
        text = (base.CONFIGS / "ghost" / "config.production.json").read_text()
        for name, value in {"PORT": self.port, "APP_PORT": self.app_port, "DIR": self.root}.items():
            text = text.replace(f"@@{name}@@", str(value))
        (self.root / "config.production.json").write_text(text)
        # ghost-cli's layout: the working directory holds the config, content/ and `current`,
        # a link to the installed version (Ghost finds its package.json through it).
        current = self.root / "current"
        if not current.exists():
            current.symlink_to(self.app)
        self._start_node()
        self.nginx.start()
        self._setup_owner()

    def _start_node(self) -> None:
        log = self.root / "ghost.out"
        import os

        env = os.environ | {"NODE_ENV": "production"}
        # Ghost reads config.production.json from its working directory.
        self.node = base.spawn(
            [base.which("node"), "current/index.js"], log_path=log, env=env, cwd=self.root
        )
        base.wait_http(
            f"http://127.0.0.1:{self.app_port}/ghost/api/admin/site/",
            seconds=240,
            process=self.node,
            log_path=log,
            ok=(200,),
        )

    def _stop_node(self) -> None:
        if self.node:
            base.stop_process(self.node.pid, wait=30)
            self.node = None

    def api(
        self,
        method: str,
        path: str,
        payload: dict | None = None,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
    ) -> dict:
        url = f"http://127.0.0.1:{self.port}/ghost/api/admin/{path}"
        body = json.dumps(payload).encode() if payload is not None else data
        request = urllib.request.Request(
            url,
            data=body,
            method=method,
            headers={
                "Content-Type": content_type,
                "Origin": f"http://127.0.0.1:{self.port}",
                "Accept-Version": "v5.0",
            },
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                text = response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise base.Unavailable(
                f"Ghost {method} {path}: {exc.code} {exc.read()[:500]!r}"
            ) from None
        return json.loads(text) if "json" in kind and text.strip() else {}

    def _setup_owner(self) -> None:
        self.api(
            "POST",
            "authentication/setup/",
            {
                "setup": [
                    {
                        "name": "Daniel Kim",
                        "email": EMAIL,
                        "password": self.password,
                        "blogTitle": "Gazette bench: Ghost",
                    }
                ]
            },
        )
        self._login()

    def _enable_comments(self) -> None:
        self.api("PUT", "settings/", {"settings": [{"key": "comments_enabled", "value": "all"}]})
        # The author's e-mail on each new comment is sent while the comment is posted, and a
        # failed one fails the post: no mail server here, so the author gets none.
        me = self.api("GET", "users/me/")["users"][0]
        self.api("PUT", f"users/{me['id']}/", {"users": [{"comment_notifications": False}]})

    def member_cookie(self, email: str, name: str) -> tuple[str, str]:
        """A member and its session cookie, through the admin's sign-in link for it (what
        "Impersonate" in Ghost's admin does): the member's id and its Cookie header."""
        member = self.api("POST", "members/", {"members": [{"email": email, "name": name}]})
        member_id = member["members"][0]["id"]
        links = self.api("GET", f"members/{member_id}/signin_urls/")
        link = links["member_signin_urls"][0]["url"]

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect())
        try:
            with opener.open(link, timeout=60) as response:
                headers = response.headers
        except urllib.error.HTTPError as exc:  # the 302 after signing in
            headers = exc.headers
        cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
        if not any(c.startswith("ghost-members-ssr=") for c in cookies):
            raise base.Unavailable(f"no member session from {link}")
        return member_id, "; ".join(cookies)

    def post_comment(self, cookie: str, post_id: str, text: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/members/api/comments/",
            data=json.dumps(
                {"comments": [{"post_id": post_id, "html": f"<p>{escape(text)}</p>"}]}
            ).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Cookie": cookie,
                "Origin": f"http://127.0.0.1:{self.port}",
            },
        )
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310
            pass

    def _login(self) -> None:
        self.api("POST", "session/", {"username": EMAIL, "password": self.password})

    def upload(self, path: Path) -> str:
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{path.name}"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + path.read_bytes()
            + (
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'
                f"image\r\n--{boundary}--\r\n"
            ).encode()
        )
        answer = self.api(
            "POST",
            "images/upload/",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        return answer["images"][0]["url"]

    def create_post(self, post: dict, *, html: str | None = None, **extra) -> dict:
        html = (
            html if html is not None else "".join(f"<p>{escape(p)}</p>" for p in post["paragraphs"])
        )
        answer = self.api(
            "POST",
            "posts/?source=html",
            {
                "posts": [
                    {
                        "title": post["headline"],
                        "slug": post["slug"],
                        "html": html,
                        "status": "published",
                        "published_at": post["published"],
                        "tags": [{"name": post["section"]}],
                        **extra,
                    }
                ]
            },
        )
        return answer["posts"][0]

    def load(self, posts_file: Path, count: int, reference) -> None:
        from dataclasses import asdict

        from bench.peer_sites import content

        lines = [json.loads(line) for line in posts_file.read_text().splitlines() if line.strip()]
        if not self.article_url:
            lead, body = (self.upload(p) for p in content.pictures(self.root / "pictures"))
            for teaser in reversed(reference.latest):
                self.create_post(asdict(teaser))
            article = asdict(reference.article)
            images = {after: credit for credit, after in article["images"]}
            html = ""
            for number, paragraph in enumerate(article["paragraphs"], start=1):
                html += f"<p>{escape(paragraph)}</p>"
                if number in images:
                    html += (
                        f'<figure class="kg-card kg-image-card kg-card-hascaption">'
                        f'<img src="{body}" class="kg-image" alt="">'
                        f"<figcaption>{escape(images[number])}</figcaption></figure>"
                    )
            created = self.create_post(
                article,
                html=html,
                feature_image=lead,
                feature_image_caption=escape(article["lead_credit"] or ""),
            )
            self.article_url = created["url"]
            self._enable_comments()
            _, reader = self.member_cookie("reader@example.com", "Reader")
            for text in article["comments"]:
                self.post_comment(reader, created["id"], text)
            self.bench_member, self.bench_cookie = self.member_cookie(
                "bench.reader@example.com", "Bench reader"
            )
            for section in sorted({p["section"] for p in lines}):  # every section's tag
                self.create_post(
                    {
                        "headline": f"{section} desk",
                        "slug": f"{content.slugify(section)}-desk",
                        "paragraphs": ["The desk's first post."],
                        "section": section,
                        "published": lines[-1]["published"],
                    }
                )
            self.template = self._row_of(self.create_post(lines[0]))
            lines = lines[1:]
        self._stop_node()
        self._insert(lines)
        self._start_node()
        self._login()
        # The site answers 503 until its routes for every post are built.
        base.wait_http(
            self.article_url,
            seconds=300,
            process=self.node,
            log_path=self.root / "ghost.out",
            ok=(200,),
        )

    # --- the database ---

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.root / "content" / "data" / "ghost.db")
        db.row_factory = sqlite3.Row
        return db

    def _row_of(self, post: dict) -> dict:
        with self._db() as db:
            row = dict(db.execute("SELECT * FROM posts WHERE id = ?", [post["id"]]).fetchone())
            self.author_id = db.execute(
                "SELECT author_id FROM posts_authors WHERE post_id = ?", [post["id"]]
            ).fetchone()[0]
            self.tags = {r["name"]: r["id"] for r in db.execute("SELECT id, name FROM tags")}
        return row

    def _insert(self, posts: list[dict]) -> None:
        template = self.template
        lexical = json.loads(template["lexical"])
        paragraph = lexical["root"]["children"][0]
        stamp = template["created_at"]
        with self._db() as db:
            # The post a new Ghost site starts with ("Coming soon")
            for table in ("posts_authors", "posts_tags"):
                db.execute(
                    f"DELETE FROM {table} WHERE post_id IN "  # noqa: S608
                    "(SELECT id FROM posts WHERE slug = 'coming-soon')"
                )
            db.execute("DELETE FROM posts WHERE slug = 'coming-soon'")
            for post in posts:
                row = dict(template)
                nodes = []
                for text in post["paragraphs"]:
                    node = deepcopy(paragraph)
                    node["children"] = [dict(paragraph["children"][0], text=text)]
                    nodes.append(node)
                when = _ghost_time(post["published"], stamp)
                row.update(
                    id=secrets.token_hex(12),
                    uuid=str(uuid.uuid4()),
                    title=post["headline"],
                    slug=post["slug"],
                    lexical=json.dumps({"root": dict(lexical["root"], children=nodes)}),
                    html="".join(f"<p>{escape(p)}</p>" for p in post["paragraphs"]),
                    plaintext="\n\n".join(post["paragraphs"]),
                    created_at=when,
                    updated_at=when,
                    published_at=when,
                )
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                db.execute(f"INSERT INTO posts ({columns}) VALUES ({marks})", list(row.values()))  # noqa: S608
                db.execute(
                    "INSERT INTO posts_authors (id, post_id, author_id, sort_order) "
                    "VALUES (?, ?, ?, 0)",
                    [secrets.token_hex(12), row["id"], self.author_id],
                )
                db.execute(
                    "INSERT INTO posts_tags (id, post_id, tag_id, sort_order) VALUES (?, ?, ?, 0)",
                    [secrets.token_hex(12), row["id"], self.tags[post["section"]]],
                )

    def comment_load(self) -> tuple[str, list[str]]:
        with self._db() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM posts WHERE type = 'post' AND status = 'published' "
                    "ORDER BY published_at DESC LIMIT 20"
                )
            ]
        return "ghost_comment.lua", [self.bench_cookie, *ids]

    def comments_stored(self) -> int:
        with self._db() as db:
            return db.execute(
                "SELECT COUNT(*) FROM comments WHERE member_id = ?", [self.bench_member]
            ).fetchone()[0]

    def pids(self) -> list[int]:
        return [self.node.pid if self.node else 0, self.nginx.pid]

    def stop(self) -> None:
        self.nginx.stop()
        self._stop_node()


def _ghost_time(iso: str, example) -> object:
    """A time in the format the template row stores (milliseconds or 'YYYY-MM-DD HH:MM:SS')."""
    moment = datetime.fromisoformat(iso).astimezone(timezone.utc)
    if isinstance(example, int | float):
        return int(moment.timestamp() * 1000)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
