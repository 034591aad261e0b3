import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")

django_application = get_wsgi_application()

# The view beacon is answered before Django's full handler (gazette/analytics/wsgi_beacon.py).
from gazette.analytics.wsgi_beacon import BeaconDispatch  # noqa: E402 - after Django's setup

application = BeaconDispatch(django_application)
