"""Computing Popular Now (uncached) on a real database, as the minute's first reader does.

    GAZETTE_VAR_DIR=/tmp/gen/var .venv/bin/python manage.py migrate
    GAZETTE_VAR_DIR=/tmp/gen/var .venv/bin/python manage.py generate_newsroom --articles 100000
    GAZETTE_VAR_DIR=/tmp/gen/var .venv/bin/python bench/popular_now.py [--repeat 5]

(or with DATABASE_URL for PostgreSQL). "Now" is half an hour after the newest stored hour, so
the 24-hour window holds the generated views. Prints each run's time and queries, and the
slowest query of the last run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gazette.analytics.models import HourlyViews
    from gazette.analytics.queries import POPULAR_NOW_COUNT, popular_articles

    latest = HourlyViews.objects.order_by("-hour").values_list("hour", flat=True).first()
    if latest is None:
        print("No stored views: run generate_newsroom (with --view-days) first.")
        return 1
    now = latest + timedelta(minutes=30)
    times = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            popular_articles(now=now, limit=POPULAR_NOW_COUNT + 1)
            times.append(time.perf_counter() - started)
        print(f"{times[-1] * 1000:7.1f} ms  {len(queries)} queries")
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    print(
        f"best {min(times) * 1000:.1f} ms; slowest query {slowest['time']} s: "
        f"{slowest['sql'][:120]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
