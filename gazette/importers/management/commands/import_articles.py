import json
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.core.progress import progress_bar
from gazette.importers.parallel import MAX_JOBS, jobs_for
from gazette.importers.reading import FORMATS
from gazette.importers.run import ItemReport, import_sources
from gazette.importers.upsert import ImportOptions


class Command(BaseCommand):
    help = (
        "Import articles from WordPress exports (WXR), RSS/Atom feeds, article web pages or "
        "text dumps, given as files or http(s) URLs. Each item is imported in its own "
        "transaction; running it again changes nothing. Exits 1 when any item failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE", help="A file or an http(s) URL")
        parser.add_argument(
            "--format",
            choices=("auto", *FORMATS),
            default="auto",
            help="The sources' format; auto reads it from the content (the default)",
        )
        parser.add_argument(
            "--section",
            default="",
            metavar="SLUG",
            help="Put every article in this section (created when missing)",
        )
        parser.add_argument(
            "--author", default="", metavar="NAME", help="The author of items that name none"
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            metavar="DIR",
            help="Where a WXR's pictures are (its wp-content/uploads tree)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Write nothing; report what would happen"
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE.json",
            help="Write one JSON object per item to this file",
        )
        parser.add_argument("--no-progress", action="store_true", help="Draw no progress bar")
        parser.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help=(
                "Import a WordPress export's items in N processes at once (PostgreSQL only; "
                f"default: the machine's cores, at most {MAX_JOBS}; on SQLite always 1)"
            ),
        )

    def handle(
        self,
        *args,
        sources,
        format,
        section,
        author,
        media_dir,
        dry_run,
        report,
        no_progress,
        jobs,
        **options,
    ):
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir}: not a directory")
        if report is not None and not report.parent.is_dir():
            raise CommandError(f"--report {report}: its folder does not exist")
        if jobs is not None and jobs < 1:
            raise CommandError(f"--jobs {jobs}: give 1 or more")
        jobs, why_fewer = jobs_for(jobs)
        if why_fewer:
            self.stderr.write(why_fewer)
        import_options = ImportOptions(
            section_slug=section.strip(),
            default_author=author.strip(),
            media_dir=media_dir,
            dry_run=dry_run,
        )
        reports: list[ItemReport] = []

        def on_item(item: ItemReport) -> None:
            if report is not None:  # kept only to be written: a large run stays flat
                reports.append(item)
            where = f"{item.source}: {item.position}"
            if item.status in {"created", "updated"}:
                verb = f"would be {item.status}" if dry_run else item.status
                self.stdout.write(f"{item.url or item.headline} ({verb}: {item.headline})")
            elif item.status == "failed":
                self.stderr.write(f"{where}: failed: {item.reason}")
            elif item.status == "skipped" and options["verbosity"] > 1:
                self.stdout.write(f"{where}: skipped: {item.reason}")

        @contextmanager
        def progress_for(name: str, unit: str):
            with progress_bar(
                self, desc=Path(name).name[:30], unit=unit, disable=no_progress
            ) as on_progress:
                yield on_progress

        summary = import_sources(
            sources,
            format=format,
            options=import_options,
            on_item=on_item,
            progress_for=progress_for,
            jobs=jobs,
        )
        if report is not None:
            report.write_text(
                json.dumps([item.as_json() for item in reports], ensure_ascii=False, indent=1)
            )
        self.stdout.write(summary.line(dry_run=dry_run))
        if summary.failed:
            raise SystemExit(1)
