"""The newsroom's time zone: times are stored in UTC and shown, and typed by editors, in the
zone the site's identity names (Settings > Site identity).

- Reader pages: ``NewsroomTimeZoneMiddleware`` makes the site's zone the current one, so
  Django's ``date`` filter and ``localtime`` give local times; ``{% newsroom_time %}``
  (core's ``newsroom_time`` tags) writes one with the zone's name ("01:30 BST").
- The admin: Wagtail reads an editor's times in their own zone (Account > Preferences), else
  in the newsroom's (``compat.default_admin_time_zone``).
- A time typed for the night clocks go back (01:30 on the last Sunday of October in London)
  happens twice: it means the first, as calendars take it. A time in the hour skipped when
  clocks go forward does not exist: the editor is told so (``NewsroomDateTimeField``).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import compat, l10n


@cache
def zone_names() -> list[str]:
    """Every IANA zone name Python knows, sorted: the choices of the setting."""
    return sorted(zoneinfo.available_timezones())


def validate_zone_name(value: str) -> None:
    if value not in zone_names():
        raise ValidationError(f"“{value}” is not a time zone name, e.g. Europe/London.")


def default_zone_name() -> str:
    """The zone of a site whose identity has not been saved: the deployment's TIME_ZONE."""
    return settings.TIME_ZONE


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named zone; the deployment's for a missing or unknown name, never an error."""
    try:
        return zoneinfo.ZoneInfo(name or default_zone_name())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(default_zone_name())


def zone_abbreviation(moment: datetime) -> str:
    """The zone's name at that moment, as readers know it: "BST", "CET", "EDT"; where the
    zone has no letters for it, its offset ("UTC+04:00") rather than a bare "+04"."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_time_text(moment: datetime, *, zone_info: tzinfo | None = None) -> str:
    """ "Oct. 27, 2024, 01:30 BST": the moment in the current (or given) zone, with its name,
    in the page's language (l10n)."""
    local = timezone.localtime(moment, zone_info)
    return l10n.format_moment(local, zone_abbreviation(local))


# -- what editors type ---------------------------------------------------------------------------


class NonexistentTime(ValidationError):
    pass


def wall_time_in_zone(wall: datetime, zone_info: tzinfo) -> datetime:
    """A clock time typed in ``zone_info`` as an instant. A time the clocks pass twice is the
    first of the two; one they skip raises ``NonexistentTime`` with a message for editors."""
    first = wall.replace(tzinfo=zone_info, fold=0)
    back = first.astimezone(UTC).astimezone(zone_info).replace(tzinfo=None, fold=0)
    if back == wall.replace(fold=0):
        return first
    name = getattr(zone_info, "key", str(zone_info))
    before = (first - timedelta(hours=3)).astimezone(zone_info)
    after = (first + timedelta(hours=3)).astimezone(zone_info)
    raise NonexistentTime(
        f"{wall:%H:%M} does not exist on {wall:%d %B %Y} in {name}: the clocks go forward "
        f"that night (from {zone_abbreviation(before)} to {zone_abbreviation(after)}). "
        "Choose a time outside the skipped hour.",
        code="nonexistent_time",
    )


class NewsroomDateTimeField(forms.DateTimeField):
    """Django's field, which refuses any time that is ambiguous in the current zone; this one
    takes the first of the two (as calendars do) and says why a skipped time cannot be."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
        current = timezone.get_current_timezone()
        with timezone.override(UTC):  # parsed, not placed: the clock time as typed
            wall = super().to_python(value).replace(tzinfo=None)
        return wall_time_in_zone(wall, current)


# -- reader pages ---------------------------------------------------------------------------------

# Paths whose zone is someone else's business: the admin's is the editor's (Wagtail sets it).
NOT_READER_PATHS = ("/admin/", "/django-admin/")


class NewsroomTimeZoneMiddleware:
    """Reader pages show times in the zone of their site; the admin, in the editor's own zone
    or else the newsroom's. After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(NOT_READER_PATHS):
            if request.user.is_authenticated:
                compat.ask_admin_profile(request.user)
            return self.get_response(request)
        timezone.activate(SiteZone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SiteZone(tzinfo):
    """The zone of a request's site, read the first time the request shows or computes a
    local time: the API, feeds, the beacon and a page without a time never read it (nor the
    database nor the cache). Local times it makes carry the zone itself (``fromutc``)."""

    def __init__(self, request: HttpRequest):
        self._request = request
        self._zone: zoneinfo.ZoneInfo | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            self._zone = site_zone(self._request)
        return self._zone

    @property
    def key(self) -> str:
        return self.zone.key

    def utcoffset(self, dt):
        return self.zone.utcoffset(dt)

    def dst(self, dt):
        return self.zone.dst(dt)

    def tzname(self, dt):
        return self.zone.tzname(dt)

    def fromutc(self, dt):
        zone = self.zone
        return zone.fromutc(dt.replace(tzinfo=zone))

    def __str__(self) -> str:
        return self.key

    def __repr__(self) -> str:
        return f"<SiteZone {self._zone.key if self._zone else '(not read yet)'}>"

    def __reduce__(self):
        return zoneinfo.ZoneInfo, (self.key,)  # a pickled time keeps the zone, not the request


def site_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """The zone of the request's site, from its identity (cached with the site's other
    parts). While the database cannot be reached, the deployment's: the view answers the
    outage as it does without this."""
    from . import shared_parts
    from .models import SiteIdentity

    try:
        shared_parts.preload_site_parts(request)
        return zone(SiteIdentity.for_request(request).time_zone)
    except (DatabaseError, SiteIdentity.DoesNotExist):
        return zone(None)


def newsroom_zone_name() -> str:
    """The zone of the default site: what the admin reads and shows times in for editors who
    have not chosen their own, and what e-mails and tasks use."""
    from wagtail.models import Site

    from .models import SITE_IDENTITY

    try:
        site = Site.objects.filter(is_default_site=True).first()
        identity = SITE_IDENTITY.get_for_site(site) if site else None
    except DatabaseError:
        return default_zone_name()
    name = identity.time_zone if identity is not None else ""
    return name if name in zone_names() else default_zone_name()
