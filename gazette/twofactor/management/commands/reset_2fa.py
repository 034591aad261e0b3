"""Turn two-factor authentication off for editors who lost their phone and backup codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gazette.twofactor.services import reset_two_factor


class Command(BaseCommand):
    help = (
        "Delete the two-factor devices and backup codes of the given users; each enrols "
        "again at their next sign-in (at once if two-factor is mandatory for them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", metavar="USERNAME")

    def handle(self, *args, usernames, **options):
        User = get_user_model()
        users = {user.get_username(): user for user in User.objects.filter(username__in=usernames)}
        unknown = [name for name in usernames if name not in users]
        if unknown:
            raise CommandError(f"No such user: {', '.join(unknown)}. Nothing was reset.")
        for name in usernames:
            removed = reset_two_factor(user=users[name])
            self.stdout.write(f"{name}: two-factor reset ({removed} device(s) removed).")
