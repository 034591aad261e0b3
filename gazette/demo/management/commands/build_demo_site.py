import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gazette.core.site_address import SiteAddressError, set_site_address
from gazette.home.services import ensure_home_page
from gazette.importers.services import ImportError_, import_textdump_file
from gazette.users.services import ensure_admin

# The seed pages sit in shared/ beside the repository; GAZETTE_SEED_DIR points elsewhere.
DEFAULT_SEED_DIR = Path(
    os.environ.get("GAZETTE_SEED_DIR", settings.BASE_DIR.parent / "shared" / "seed")
)


class Command(BaseCommand):
    help = (
        "Build the demo site: the home page, the seed articles and an admin user. "
        "Safe to run again: existing content and the admin's password are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed-dir", type=Path, default=DEFAULT_SEED_DIR)
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The address the site is served at; the site's absolute URLs use it.",
        )
        parser.add_argument(
            "--edition",
            metavar="LANGUAGE",
            help="Also make a second-language edition (e.g. ko): the home page, sections and "
            "stories copied into it, untranslated, for editors to translate.",
        )

    def handle(
        self,
        *args,
        seed_dir: Path,
        admin_username: str,
        base_url: str,
        edition: str | None = None,
        **options,
    ):
        ensure_home_page()
        # Absolute URLs (canonical, feeds, sitemaps) name the address the site is served at.
        try:
            set_site_address(base_url)
        except SiteAddressError as exc:
            raise CommandError(f"--base-url: {exc}") from None
        seeds = sorted(seed_dir.glob("*.txt")) if seed_dir.is_dir() else []
        if not seeds:
            self.stderr.write(f"No seed texts in {seed_dir}: the site starts empty.")
        for path in seeds:
            try:
                result = import_textdump_file(path=path)
            except ImportError_ as exc:
                raise CommandError(f"{path}: {exc}") from None
            url = result.article.get_url() or ""
            self.stdout.write(f"Article: {base_url}{url}" if url.startswith("/") else url)
        if edition:
            self._make_edition(edition, base_url)
        password, _ = ensure_admin(
            username=admin_username, password_file=settings.VAR_DIR / "admin-password.txt"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {base_url}/admin/  user: {admin_username}  password: {password}"
            )
        )

    def _make_edition(self, language_code: str, base_url: str) -> None:
        from gazette.core.editions import content_language
        from gazette.demo.editions import make_edition

        known = dict(settings.WAGTAIL_CONTENT_LANGUAGES)
        if language_code not in known:
            raise CommandError(f"--edition: choose one of {', '.join(known)}")
        try:
            made = make_edition(content_language(language_code))
        except ValueError as exc:
            raise CommandError(f"--edition: {exc}") from None
        self.stdout.write(
            f"Edition {made.language_code}: {base_url}/{made.language_code}/ "
            f"({made.copied} pages copied, {made.already_there} already there)"
        )
