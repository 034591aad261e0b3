"""The view beacon and the article's count: what the page's script asks after it is seen.

POST (from views.js) counts the view and answers 204; GET of ``pixel.gif`` (the no-script
fallback) counts it and answers a transparent GIF. Both are never cached, take no cookie and no
CSRF token (the page they come from is the same for everyone). They are reached past most of
the middleware (middleware.py): they use no session, no user. In the production stack nginx
answers both itself and writes them to the beacon log, which ``count_beacon_log`` counts with
the same code (beacon_log.py); these views answer them without nginx (`make run`, the tests).

GET of ``count`` answers the article's views so far (JSON: views, display, unit), which views.js
asks after its POST to refresh the byline. Shared caches (nginx) may keep it a few seconds;
browsers ask again each time (a reader's reload must not show an older count from their own
cache than the page they just got).
"""

from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from gazette.core.templatetags.human_counts import human_count

from .services import article_views, record_beacon

# The smallest transparent GIF (1x1).
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# How long a shared cache (nginx) may keep the count endpoint's answer.
COUNT_SECONDS = 5
NOT_LIVE = "No published article has this id."


@csrf_exempt
@never_cache
@xframe_options_deny
@require_POST
def beacon(request, article_id: int):
    if record_beacon(article_id=article_id, meta=request.META) is None:
        return JsonResponse({"error": NOT_LIVE}, status=404)
    return HttpResponse(status=204)


@never_cache
@xframe_options_deny
@require_GET
def pixel(request, article_id: int):
    if record_beacon(article_id=article_id, meta=request.META) is None:
        return HttpResponse(NOT_LIVE, status=404, content_type="text/plain")
    return HttpResponse(PIXEL, content_type="image/gif")


@xframe_options_deny
@require_GET
def count(request, article_id: int):
    views = article_views(article_id)
    if views is None:
        response = JsonResponse({"error": NOT_LIVE}, status=404)
    else:
        response = JsonResponse(
            {
                "views": views,
                "display": human_count(views),
                "unit": ngettext("view", "views", views),
            }
        )
    patch_cache_control(response, public=True, max_age=0, s_maxage=COUNT_SECONDS)
    return response
