"""Give the site the address it is served at, from which every absolute URL is built.

manage.py set_site_address https://news.example.org    # or, with no argument, GAZETTE_BASE_URL
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gazette.core.site_address import SiteAddressError, address_of_site, set_site_address


class Command(BaseCommand):
    help = "Set the default site's hostname and port from a base URL (default: GAZETTE_BASE_URL)."

    def add_arguments(self, parser):
        parser.add_argument("base_url", nargs="?", default=None)

    def handle(self, *args, base_url: str | None, **options):
        base_url = base_url or settings.GAZETTE_BASE_URL
        if not base_url:
            raise CommandError("Give a base URL, or set GAZETTE_BASE_URL.")
        try:
            site, changed = set_site_address(base_url)
        except SiteAddressError as exc:
            raise CommandError(str(exc)) from None
        state = "now" if changed else "already"
        self.stdout.write(f"The site's address is {state} {address_of_site(site)}")
