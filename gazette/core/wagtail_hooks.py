from django.contrib import messages
from wagtail import hooks

from .admin_warnings import AdminWarningsPanel, page_warnings
from .autosave_history import regroup_latest_save


@hooks.register("construct_homepage_panels")
def add_admin_warnings(request, panels):
    panels.append(AdminWarningsPanel(request))


@hooks.register("before_edit_page")
def warn_on_the_edit_view(request, page):
    # On the page as the editor opens it; not on saves (autosave included), which redirect or
    # answer JSON and would show the message on the next page instead.
    if request.method == "GET":
        for warning in page_warnings(page):
            messages.warning(request, f"{warning.heading}: {warning.text}")


@hooks.register("after_edit_page")
def history_shows_the_editors_saves(request, page):
    regroup_latest_save(request, page)
