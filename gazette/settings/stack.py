"""Production's settings plus the demo app, for the demo commands of the loopback stack.

`make stack` and `make bench` build their content (``build_demo_site``, ``generate_newsroom``)
in the stack's database with these settings; the stack's app servers and workers run
``gazette.settings.production``, which does not install the demo app (deploy/stack.py).
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = ["gazette.demo", *INSTALLED_APPS]
