"""The article's edit form as Wagtail's admin posts it, for tests that drive the admin.

Any feature app may add an inline formset to the article form (authors, editor's picks,
corrections...); a post that lacks one is invalid. So the form data is built from the form
class itself: every formset is present, empty unless the test gives it.
"""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from gazette.news.models import ArticlePage

# Wagtail's own review comments: handled by Wagtail, absent from the form when not posted.
_NOT_POSTED = {"comments"}


def article_form_data(article, *, action: str | None = None, body: str | None = None, **fields):
    """Form data for editing ``article``; ``fields`` override (formsets as ``inline_formset``)."""
    form_class = ArticlePage.get_edit_handler().get_form_class()
    data = {
        "title": article.title,
        "slug": article.slug,
        "body": streamfield([("paragraph", rich_text(body))] if body is not None else []),
        "tags": "",
    }
    for name in form_class.formsets:
        if name not in _NOT_POSTED:
            data[name] = inline_formset([])
    data.update(fields)
    if action:
        data[f"action-{action}"] = action
    return nested_form_data(data)
