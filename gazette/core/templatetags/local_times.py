"""Times on reader pages, in the newsroom's zone and with its name::

    {% load local_times %}{% local_time page.first_published_at %}

gives ``<time datetime="2024-10-27T01:30:00+01:00">Oct. 27, 2024, 01:30 BST</time>``: the
zone is the one ``NewsroomTimeZoneMiddleware`` made current for the page's site.
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from gazette.core.newsroom_time import local_time_text

register = template.Library()


@register.simple_tag
def local_time(moment):
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), local_time_text(local))
