from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from .shared_parts import SitePart


@register_setting(icon="site")
class SiteIdentity(BaseSiteSetting):
    """What the site calls itself in its header, titles and footer."""

    name = models.CharField(max_length=100, default="Gazette", help_text="The publication's name.")
    footer_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="A line at the foot of every page, e.g. the publisher and a copyright notice.",
    )

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
