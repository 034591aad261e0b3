"""A task worker sending one issue, in a process of its own so that a test (or the benchmark)
can kill -9 it mid-send: ``python -m tests.newsletters.send_worker ISSUE_ID``. It reads the
database and SMTP server from the environment (DATABASE_URL or GAZETTE_VAR_DIR, and
EMAIL_PORT), and prints a JSON report when it finishes."""

import json
import os
import resource
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = int(os.environ["EMAIL_PORT"])
    settings.GAZETTE_NEWSLETTER_BATCH_SIZE = int(os.environ.get("BATCH_SIZE", "200"))

    from gazette.newsletters import sending

    report = sending.send_issue(int(sys.argv[1]))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "sent": report.sent,
                "failed": report.failed,
                "finished": report.finished,
                "peak_kib": peak_kib,
            }
        )
    )


if __name__ == "__main__":
    main()
