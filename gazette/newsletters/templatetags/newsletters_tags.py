from django import template
from django.template.loader import render_to_string

from ..queries import offered_newsletters

register = template.Library()


@register.simple_tag(takes_context=True)
def newsletter_signup(context) -> str:
    """The subscribe form under a story, from the shared parts (no query per page)."""
    request = context.get("request")
    newsletters = offered_newsletters(request) if request is not None else []
    return render_to_string(
        "newsletters/includes/signup.html", {"newsletters": newsletters}, request=request
    )
