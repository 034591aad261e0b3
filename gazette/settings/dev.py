from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

# The demo builder and the synthetic newsroom (`make run`); production leaves them out.
INSTALLED_APPS = ["gazette.demo", *INSTALLED_APPS]

DEBUG = env.bool("DEBUG", default=True)
# base.py derived this from its own DEBUG (off): the development server serves media itself.
SERVE_MEDIA = env.bool("GAZETTE_SERVE_MEDIA", default=DEBUG)

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
