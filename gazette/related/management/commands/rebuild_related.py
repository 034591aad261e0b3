import time

from django.core.management.base import BaseCommand

from gazette.core.progress import progress_bar
from gazette.core.wording import count_of
from gazette.related.services import rebuild_related


class Command(BaseCommand):
    help = (
        "Recompute the similar articles of every readable article (You May Also Like), "
        "with a progress bar. Safe to run at any time and again: it stores the same lists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args, no_progress: bool, **options):
        started = time.monotonic()
        with progress_bar(self, desc="Related articles", disable=no_progress) as on_progress:
            result = rebuild_related(on_progress=on_progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {count_of(result.links, 'similar article', 'similar articles')} for "
                f"{count_of(result.articles, 'article', 'articles')} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
