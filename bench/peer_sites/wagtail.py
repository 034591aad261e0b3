"""Plain Wagtail: a site made by `wagtail start` (its SQLite database, its production settings)
with an article app of its own (bench/peers/wagtail/), gunicorn (2 processes x 4 threads, as
many as Gazette's two app servers) behind nginx. Wagtail, Django and gunicorn are the versions
of Gazette's lock, from its virtualenv."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.peer_sites import base
from deploy.local_services import free_port

SOURCE = base.CONFIGS / "wagtail"
BIN = Path(sys.executable).parent


class PlainWagtail(base.Platform):
    name = "wagtail"
    label = "Plain Wagtail"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.site = root / "site"
        self.port = free_port()
        self.app_port = free_port()
        self.nginx = base.Nginx(
            "wagtail.conf",
            root / "nginx",
            self.port,
            APP_PORT=str(self.app_port),
            STATIC=str(self.site / "static"),
            MEDIA=str(self.site / "media"),
        )
        self.app = None
        self.env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "benchsite.settings.production",
            "BENCH_SECRET_KEY": secrets.token_urlsafe(50),
            "BENCH_BASE_URL": f"http://127.0.0.1:{self.port}",
            "PYTHONPATH": "",
        }
        self.loaded = False

    def install(self) -> None:
        for tool in ("wagtail", "gunicorn"):
            if not (BIN / tool).exists():
                raise base.Unavailable(f"{BIN / tool} is missing (Gazette's virtualenv)")
        self.setup = {
            "Wagtail": metadata.version("wagtail")
            + " (`wagtail start`, production settings, SQLite)",
            "Django": metadata.version("django"),
            "gunicorn": metadata.version("gunicorn") + ", 2 processes x 4 threads (gthread)",
            "nginx": base.package_version("nginx") + ", no page cache, 1 worker",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=self.site,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise base.Unavailable(
                f"manage.py {args[0]} failed: {done.stdout[-800:]}{done.stderr[-1500:]}"
            )
        return done.stdout

    def start(self) -> None:
        self.site.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(  # noqa: S603
            [str(BIN / "wagtail"), "start", "benchsite", str(self.site)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise base.Unavailable(f"wagtail start failed: {done.stderr[-800:]}")
        shutil.copytree(
            SOURCE / "articles",
            self.site / "articles",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copy(SOURCE / "local.py", self.site / "benchsite" / "settings" / "local.py")
        self.manage("makemigrations", "articles")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        log = self.root / "gunicorn.log"
        self.app = base.spawn(
            [
                str(BIN / "gunicorn"),
                "benchsite.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.app_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--keep-alive",
                "5",
                "--worker-tmp-dir",
                "/dev/shm",  # noqa: S108 - gunicorn's heartbeat files, as Gazette's
            ],
            log_path=log,
            env=self.env,
            cwd=self.site,
        )
        self.nginx.start()
        base.wait_http(f"http://127.0.0.1:{self.port}/", seconds=60, process=self.app, log_path=log)

    def load(self, posts_file: Path, count: int, reference) -> None:
        from dataclasses import asdict

        from bench.peer_sites import content

        if not self.loaded:
            pictures = content.pictures(self.root / "pictures")
            site = self.root / "site.json"
            site.write_text(
                json.dumps(
                    {
                        "pictures": [str(p) for p in pictures],
                        "reference": {
                            "article": asdict(reference.article),
                            "latest": [asdict(p) for p in reference.latest],
                        },
                    }
                )
            )
            out = self.manage("seed_articles", "--reference", str(site))
            self.article_url = (
                f"http://127.0.0.1:{self.port}" + json.loads(out.strip().splitlines()[-1])["url"]
            )
            self.loaded = True
        self.manage("seed_articles", "--posts", str(posts_file))

    def pids(self) -> list[int]:
        return [self.app.pid if self.app else 0, self.nginx.pid]

    def stop(self) -> None:
        self.nginx.stop()
        if self.app:
            base.stop_process(self.app.pid)
