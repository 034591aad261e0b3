from pathlib import Path

from django.core.management.base import BaseCommand

from gazette.importers.services import ImportError_, import_textdump_file


class Command(BaseCommand):
    help = (
        "Import article pages saved as text (as a browser copies them). Each file is imported "
        "in its own transaction; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--base-url",
            default="",
            help="Prefix for the printed article URLs, e.g. http://127.0.0.1:8000",
        )

    def handle(self, *args, files, base_url, **options):
        failures = 0
        for path in files:
            try:
                result = import_textdump_file(path=path)
            except ImportError_ as exc:
                failures += 1
                self.stderr.write(f"{path}: {exc}")
                continue
            article = result.article
            state = "created" if result.created else ("updated" if result.changed else "unchanged")
            url = article.get_url() or article.url_path
            if base_url and url.startswith("/"):
                url = base_url.rstrip("/") + url
            self.stdout.write(f"{url} ({state}: {article.title})")
        if failures:
            # One line per bad file was printed above; the exit status tells scripts.
            raise SystemExit(1)
