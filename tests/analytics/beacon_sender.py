"""One app process receiving beacons, for the multi-process tests.

    python -m tests.analytics.beacon_sender PLAN.json INDEX [--through-handler N] [--then-wait]

Sets Django up from the environment (DATABASE_URL, REDIS_URL, GAZETTE_VIEWS_*) and takes the
beacons of process INDEX in the plan: the first N (all by default) as requests through Django's
request handler and the beacon view, the rest by calling the counting service the view calls,
``record_beacon`` (what a request costs beyond it is the same for every beacon). Prints
``{"answered": N, "counted": M}`` (the beacons answered 204 by the view, which says no more;
the views ``record_beacon`` counted) and exits normally, or with --then-wait prints it and
waits for a signal.
"""

import json
import os
import signal
import sys
import time


def main() -> int:
    plan_path, index = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.test")
    import django

    django.setup()
    from django.test import Client

    from gazette.analytics.services import record_beacon

    with open(plan_path) as plan_file:
        beacons = json.load(plan_file)[index]
    through_handler = len(beacons)
    if "--through-handler" in sys.argv:
        through_handler = int(sys.argv[sys.argv.index("--through-handler") + 1])
    client = Client(SERVER_NAME="localhost")
    counted = answered = 0
    started = time.monotonic()
    for number, (path, headers) in enumerate(beacons):
        if number < through_handler:
            response = client.post(path, **headers)
            if response.status_code != 204:
                print(f"{path}: HTTP {response.status_code}", file=sys.stderr)
                return 1
            answered += 1
        else:
            article_id = int(path.strip("/").rsplit("/", 1)[-1])
            counted += record_beacon(article_id=article_id, meta=headers).verdict.countable
    seconds = round(time.monotonic() - started, 2)
    print(json.dumps({"answered": answered, "counted": counted, "seconds": seconds}), flush=True)
    if "--then-wait" in sys.argv:
        signal.pause()  # until the test stops this "app process"
    return 0


if __name__ == "__main__":
    sys.exit(main())
