"""WordPress as Debian packages it (the `wordpress` package, PHP-FPM, MariaDB) behind nginx
with fastcgi_cache: configuration from bench/peers/wordpress/ and bench/peers/nginx/, content
through bench/peers/wordpress/seed.php (WordPress's own functions)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from bench.peer_sites import base
from deploy.local_services import free_port

PACKAGES = [
    "mariadb-server",
    "php-fpm",
    "php-mysql",
    "php-gd",
    "wordpress",
    "wordpress-theme-twentytwentyone",
]
PHP_FPM = "php-fpm8.2"
SEED = base.CONFIGS / "wordpress" / "seed.php"
ETC = Path("/etc/wordpress")


def fill(template: Path, **values: str) -> str:
    text = template.read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


class WordPress(base.Platform):
    name = "wordpress"
    label = "WordPress"
    has_cache = True
    comments = True

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.port = free_port()
        self.db_port = free_port()
        self.fpm_port = free_port()
        self.config_name = f"gazette-bench-{self.port}"
        self.content = root / "wp-content"
        self.db = None
        self.fpm = None
        self.nginx = base.Nginx(
            "wordpress.conf",
            root / "nginx",
            self.port,
            CONTENT=str(self.content),
            CONFIG=self.config_name,
            FPM_PORT=str(self.fpm_port),
        )
        self.password = secrets.token_urlsafe(18)
        self.loaded = False

    # --- install and start ---

    def install(self) -> None:
        base.ensure_packages(PACKAGES)
        for name in (PHP_FPM, "mariadbd", "mariadb-install-db", "php"):
            base.which(name)
        self.setup = {
            "WordPress": base.package_version("wordpress") + " (Debian), theme Twenty Twenty-One",
            "PHP-FPM": base.package_version("php8.2-fpm") + " (OPcache on), pm dynamic, 5 children",
            "MariaDB": base.package_version("mariadb-server") + " (buffer pool 128 MB)",
            "nginx": base.package_version("nginx") + ", fastcgi_cache 60 min, 1 worker",
        }

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        self._start_mariadb()
        self._start_fpm()
        self.nginx.start()

    def _start_mariadb(self) -> None:
        folder = self.root / "mariadb"
        (folder / "data").mkdir(parents=True, exist_ok=True)
        shutil.chown(folder, "mysql", "mysql")
        shutil.chown(folder / "data", "mysql", "mysql")
        cnf = folder / "my.cnf"
        cnf.write_text(
            fill(base.CONFIGS / "wordpress" / "my.cnf", DIR=str(folder), PORT=str(self.db_port))
        )
        done = subprocess.run(  # noqa: S603
            [
                base.which("mariadb-install-db"),
                f"--defaults-file={cnf}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise base.Unavailable(
                f"mariadb-install-db failed: {done.stdout[-500:]}{done.stderr[-800:]}"
            )
        self.db = base.spawn(
            [base.which("mariadbd"), f"--defaults-file={cnf}"], log_path=folder / "mariadbd.out"
        )
        deadline = time.monotonic() + 60
        while not (folder / "mysqld.sock").exists():
            if self.db.poll() is not None or time.monotonic() > deadline:
                err = folder / "mysqld.err"
                raise base.Unavailable(
                    f"MariaDB did not start: {err.read_text()[-800:] if err.exists() else ''}"
                )
            time.sleep(0.2)
        self.sql(
            "CREATE DATABASE wordpress CHARACTER SET utf8mb4;"
            f"CREATE USER 'wordpress'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
            "GRANT ALL ON wordpress.* TO 'wordpress'@'127.0.0.1';"
        )

    def sql(self, statements: str) -> str:
        done = subprocess.run(  # noqa: S603
            [
                base.which("mariadb"),
                f"--defaults-file={self.root / 'mariadb' / 'my.cnf'}",
                "-u",
                "root",
                "-N",
                "-e",
                statements,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise base.Unavailable(f"mariadb: {done.stderr[-500:]}")
        return done.stdout

    def _start_fpm(self) -> None:
        folder = self.root / "php"
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "php-fpm.conf"
        conf.write_text(
            fill(
                base.CONFIGS / "wordpress" / "php-fpm.conf",
                DIR=str(folder),
                PORT=str(self.fpm_port),
            )
        )
        # wp-content: Debian's themes (symlinked), our one must-use plugin, uploads as www-data
        for sub in ("themes", "plugins", "mu-plugins", "uploads", "languages"):
            (self.content / sub).mkdir(parents=True, exist_ok=True)
        for theme in Path("/usr/share/wordpress/wp-content/themes").iterdir():
            link = self.content / "themes" / theme.name
            if not link.exists():
                link.symlink_to(theme)
        shutil.copy(base.CONFIGS / "wordpress" / "bench-comments.php", self.content / "mu-plugins")
        for path in [self.content / "uploads", *(self.content / "uploads").rglob("*")]:
            shutil.chown(path, "www-data", "www-data")
        salts = "\n".join(
            f"define('{key}', '{secrets.token_hex(32)}');"
            for key in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        ETC.mkdir(exist_ok=True)
        config = ETC / f"config-{self.config_name}.php"
        config.write_text(
            fill(
                base.CONFIGS / "wordpress" / "config.php",
                CONFIG=self.config_name,
                DB_PASSWORD=self.password,
                DB_PORT=str(self.db_port),
                PORT=str(self.port),
                CONTENT=str(self.content),
                SALTS=salts,
            )
        )
        config.chmod(0o640)
        shutil.chown(config, "root", "www-data")
        self.fpm = base.spawn(
            [base.which(PHP_FPM), "--nodaemonize", "--fpm-config", str(conf)],
            log_path=folder / "php-fpm.out",
        )
        deadline = time.monotonic() + 20
        while not (folder / "php-fpm.pid").exists():
            if self.fpm.poll() is not None or time.monotonic() > deadline:
                raise base.Unavailable(
                    f"PHP-FPM did not start: {(folder / 'php-fpm.out').read_text()[-800:]}"
                )
            time.sleep(0.1)

    # --- content ---

    def seed(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [base.which("php"), str(SEED), *args],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ | {"WORDPRESS_CONFIG": self.config_name},
        )
        if done.returncode != 0:
            raise base.Unavailable(
                f"seed.php {args[0]} failed: {done.stdout[-800:]}{done.stderr[-800:]}"
            )
        return done.stdout

    def load(self, posts_file: Path, count: int, reference) -> None:
        from dataclasses import asdict

        from bench.peer_sites import content

        if not self.loaded:
            pictures = content.pictures(self.root / "pictures")
            site = self.root / "site.json"
            site.write_text(
                json.dumps(
                    {
                        "title": "Gazette bench: WordPress",
                        "admin_password": secrets.token_urlsafe(12),
                        "pictures": [str(p) for p in pictures],
                        "reference": {
                            "article": asdict(reference.article),
                            "latest": [asdict(p) for p in reference.latest],
                        },
                    }
                )
            )
            self.article_url = json.loads(self.seed("install", str(site)))["url"]
            self.loaded = True
        self.seed("posts", str(posts_file))
        # the seed ran as root: uploads stay the workers'
        for path in [self.content / "uploads", *(self.content / "uploads").rglob("*")]:
            shutil.chown(path, "www-data", "www-data")

    def comment_load(self) -> tuple[str, list[str]]:
        ids = json.loads(self.seed("newest", "20"))
        return "wordpress_comment.lua", [str(i) for i in ids]

    def comments_stored(self) -> int:
        return int(self.seed("comments", "Bench reader").strip())

    def pids(self) -> list[int]:
        return [p.pid for p in (self.db, self.fpm) if p] + [self.nginx.pid]

    def stop(self) -> None:
        self.nginx.stop()
        if self.fpm:
            base.stop_process(self.fpm.pid, 3)  # SIGQUIT: graceful
        if self.db:
            base.stop_process(self.db.pid)
        (ETC / f"config-{self.config_name}.php").unlink(missing_ok=True)
