from datetime import timezone

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from gazette.core.wording import count_of
from gazette.demo.synthetic.newsroom import (
    COMMENTS_PER_ARTICLE,
    IMAGE_COUNT,
    VIEW_DAYS,
    generate_newsroom,
)

STAGE_UNITS = {"articles": "article", "comments": "comment", "views": "article"}
STAGE_LABELS = {"articles": "articles", "comments": "comments", "views": "view history"}


class Command(BaseCommand):
    help = (
        "Add a deterministic synthetic newsroom (for benchmarks): sections, authors, articles, "
        "readers' comments and hourly view history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--authors", type=int, default=2000)
        parser.add_argument(
            "--comments",
            type=int,
            default=None,
            help=f"Comments in all (default: {COMMENTS_PER_ARTICLE} per article).",
        )
        parser.add_argument(
            "--view-days",
            type=int,
            default=VIEW_DAYS,
            help="Days of hourly view history up to now (0: none).",
        )
        parser.add_argument(
            "--images",
            type=int,
            default=IMAGE_COUNT,
            help="Pictures the articles share (each with its renditions made up front).",
        )
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--now",
            default=None,
            help="Build the newsroom as of this ISO 8601 time (UTC unless it says otherwise) "
            "instead of the current time: the same seed and --now give identical data.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, articles, authors, comments, view_days, images, seed, now, **options):
        if articles < 0 or authors < 1 or images < 1:
            raise CommandError("--articles must be 0 or more, --authors and --images at least 1")
        if (comments is not None and comments < 0) or view_days < 0 or seed < 0:
            raise CommandError("--comments, --view-days and --seed must be 0 or more")
        bars = {}

        def progress(stage, count, total):
            if stage not in bars:
                for bar in bars.values():
                    bar.close()
                bars[stage] = tqdm(
                    total=total,
                    desc=STAGE_LABELS.get(stage, stage),
                    unit=STAGE_UNITS.get(stage, "item"),
                    disable=options["no_progress"],
                    file=self.stderr._out,
                )
            bars[stage].update(count)

        stats = generate_newsroom(
            articles=articles,
            authors=authors,
            comments=comments,
            view_days=view_days,
            image_count=images,
            seed=seed,
            now=_parse_now(now),
            progress=progress,
        )
        for bar in bars.values():
            bar.close()
        statuses = ", ".join(f"{n} {status}" for status, n in stats.comments_by_status.items())
        self.stdout.write(
            f"{count_of(stats.articles, 'article', 'articles')} in "
            f"{count_of(stats.sections, 'section', 'sections')} by "
            f"{count_of(stats.authors, 'author', 'authors')}; "
            f"{count_of(stats.comments, 'comment', 'comments')} ({statuses or 'none'}); "
            f"{count_of(stats.views, 'view', 'views')} in "
            f"{count_of(stats.view_rows, 'hourly row', 'hourly rows')}"
        )


def _parse_now(value):
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--now {value!r} is not an ISO 8601 date and time")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
