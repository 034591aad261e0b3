from django import forms
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from .newsroom_time import default_zone_name, validate_zone_name, zone_names
from .shared_parts import SitePart


def _zone_select() -> forms.Select:
    return forms.Select(choices=[(name, name.replace("_", " ")) for name in zone_names()])


@register_setting(icon="site")
class SiteIdentity(BaseSiteSetting):
    """What the site calls itself in its header, titles and footer."""

    name = models.CharField(max_length=100, default="Gazette", help_text="The publication's name.")
    footer_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="A line at the foot of every page, e.g. the publisher and a copyright notice.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_zone_name,
        validators=[validate_zone_name],
        help_text="The newsroom's time zone. Readers see every time in it, with its name "
        "(“01:30 BST”); go-live and expiry times you type are read in it, unless your account "
        "preferences name a zone of your own. Times are stored in UTC: changing this moves no "
        "story.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("footer_text"),
        FieldPanel("time_zone", widget=_zone_select()),
    ]

    class Meta:
        verbose_name = "site identity"

    @classmethod
    def for_request(cls, request):
        """As Wagtail's, kept on the request, but read without ever writing (Wagtail's creates
        the row on a reader's first render: the defaults until an editor saves them), and kept
        in the cache: the same on every page of the site until an editor saves it."""
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        if Site.find_for_request(request) is None:
            return cls.for_site(None)  # Wagtail's answer: DoesNotExist
        identity = SITE_IDENTITY.get(request)
        identity._request = request  # as Wagtail's: page URLs of the settings reuse it
        setattr(request, attr_name, identity)
        return identity


def _identity_of(site: Site | None) -> SiteIdentity:
    return SiteIdentity.objects.filter(site=site).first() or SiteIdentity(site=site)


SITE_IDENTITY = SitePart("site-identity", _identity_of)


class WorkerHeartbeat(models.Model):
    """When a background worker last finished a round, written by the worker itself: the
    admin warns when the scheduler has fallen silent. A table, not the cache: under `make run`
    the cache is each process's own memory, and the worker is another process."""

    worker = models.CharField(max_length=50, primary_key=True)
    last_round_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.last_round_at:%Y-%m-%d %H:%M:%S}"
