import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

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
        bar = None

        def on_progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=total,
                    unit="article",
                    desc="Related articles",
                    file=getattr(
                        self.stderr, "_out", self.stderr
                    ),  # the stream, not its line wrapper
                    disable=no_progress,
                    # Redraw on every update: a batch is hundreds of articles, not a blur.
                    mininterval=0,
                )
            bar.update(done - bar.n)

        try:
            result = rebuild_related(on_progress=on_progress)
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {result.links} similar articles for {result.articles} articles "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
