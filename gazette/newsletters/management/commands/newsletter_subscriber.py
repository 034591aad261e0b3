"""An operator answers a reader's request about their data: ``export`` prints everything stored
about an address as JSON; ``erase`` deletes the address, its subscriptions and deliveries."""

from django.core.management.base import BaseCommand, CommandError

from gazette.newsletters import services


class Command(BaseCommand):
    help = "Export (as JSON) or erase everything stored about a newsletter subscriber."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *args, action, email, **options):
        if action == "export":
            data = services.export_json(email=email)
            if data is None:
                raise CommandError(f"No subscriber with the address {email!r}.")
            self.stdout.write(data)
            return
        if not services.erase_subscriber(email=email):
            raise CommandError(f"No subscriber with the address {email!r}.")
        self.stdout.write(f"Erased {email} and everything stored about it.")
