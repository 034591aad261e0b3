from django import template
from django.utils.safestring import mark_safe

from gazette.news.slots import templates_of

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str):
    """Render the templates registered for the slot ``name`` (gazette.news.slots), each as
    an ``{% include %}`` would: with the page's context."""
    engine = context.template.engine
    parts = []
    for template_name in templates_of(name):
        with context.push():
            parts.append(engine.get_template(template_name).render(context))
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, autoescaped
