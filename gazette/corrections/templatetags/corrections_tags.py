from django import template

from ..models import CorrectionSettings
from ..queries import notes_on_page, placed

register = template.Library()


@register.simple_tag(takes_context=True)
def notes_at(context, article, position: str) -> list:
    """The article's notes shown at ``position`` ("top" or "bottom") of the story, as the
    site's correction settings place the updates. No query on a warm article page."""
    settings = CorrectionSettings.for_page(context["request"])
    return placed(
        notes_on_page(article), position=position, updates_position=settings.updates_position
    )
