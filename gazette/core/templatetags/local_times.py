"""Times on reader pages, in the newsroom's zone and with its name::

    {% load local_times %}{% local_time page.first_published_at %}

gives ``<time datetime="2024-10-27T01:30:00+01:00">Oct. 27, 2024, 01:30 BST</time>``: the
zone is the one ``NewsroomTimeZoneMiddleware`` made current for the page's site.
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from gazette.core.l10n import format_day, format_month
from gazette.core.newsroom_time import local_time_text, zone_abbreviation

register = template.Library()


@register.simple_tag
def local_time(moment):
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), local_time_text(local))


@register.simple_tag
def admin_time_zone():
    """Beside each date-time input of the admin: the zone the time is read in (the editor's
    own, else the newsroom's; Wagtail makes it the current one), e.g. "Time zone:
    Europe/London (GMT)"."""
    current = timezone.get_current_timezone()
    name = getattr(current, "key", str(current))
    abbreviation = zone_abbreviation(timezone.localtime())
    return f"Time zone: {name}" if abbreviation == name else f"Time zone: {name} ({abbreviation})"


@register.filter
def local_moment(moment) -> str:
    """A date and time with the zone's name, as text: "Oct. 27, 2024, 01:30 BST"."""
    if not moment:
        return ""
    return local_time_text(moment)


@register.filter
def local_day(moment) -> str:
    """A story card's date in the page's language: "Oct. 27, 2024", "2024년 10월 27일"."""
    if not moment:
        return ""
    return format_day(timezone.localtime(moment) if isinstance(moment, datetime) else moment)


@register.filter
def local_month(moment) -> str:
    """A month and its year in the page's language: "February 2025", "2025년 2월"."""
    if not moment:
        return ""
    return format_month(moment)
