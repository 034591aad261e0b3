import pytest

from gazette.newsletters.models import Newsletter, Subscriber, Subscription
from tests.newsletters.smtp import LoopbackSMTP

ORIGIN = "http://testserver"
SAME_ORIGIN = {"HTTP_ORIGIN": ORIGIN, "HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    with LoopbackSMTP() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server.recorder


@pytest.fixture
def morning(db):
    return Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )


@pytest.fixture
def weekly(db):
    return Newsletter.objects.create(
        name="Weekend Reads",
        slug="weekend-reads",
        description="Long stories for Saturday.",
        cadence="weekly",
    )


def subscribed(newsletter, *emails):
    """Confirmed subscribers of ``newsletter``, as if each had clicked the link."""
    from django.utils import timezone

    made = []
    for address in emails:
        subscriber, _ = Subscriber.objects.get_or_create(email=address)
        Subscription.objects.update_or_create(
            subscriber=subscriber,
            newsletter=newsletter,
            defaults={"confirmed_at": timezone.now() - timezone.timedelta(minutes=5)},
        )
        made.append(subscriber)
    return made
