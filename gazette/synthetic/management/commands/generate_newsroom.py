from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gazette.synthetic.newsroom import generate_newsroom


class Command(BaseCommand):
    help = "Add a deterministic synthetic newsroom (for benchmarks): sections, authors, articles."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--authors", type=int, default=2000)
        parser.add_argument("--comments", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, articles, authors, comments, seed, no_progress, **options):
        if articles < 0 or authors < 1:
            raise CommandError("--articles must be 0 or more and --authors at least 1")
        bar = tqdm(total=articles, unit="article", disable=no_progress, file=self.stderr._out)
        stats = generate_newsroom(
            articles=articles,
            authors=authors,
            seed=seed,
            progress=lambda stage, count: bar.update(count),
        )
        bar.close()
        self.stdout.write(
            f"{stats.articles} articles in {stats.sections} sections by {stats.authors} authors"
        )
