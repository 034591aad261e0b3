"""The view beacon: the one uncached request an article page makes.

POST (from views.js) answers JSON with the article's count so the page can show it in place;
GET of ``pixel.gif`` (the no-script fallback) answers a transparent GIF. Both are never
cached, take no cookie and no CSRF token (the page they come from is the same for everyone).
They are reached past most of the middleware (middleware.py): they use no session, no user.
"""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from gazette.core.templatetags.human_counts import human_count

from .services import record_beacon

# The smallest transparent GIF (1x1).
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@csrf_exempt
@never_cache
@xframe_options_deny
@require_POST
def beacon(request, article_id: int):
    answer = record_beacon(article_id=article_id, meta=request.META)
    if answer is None:
        return JsonResponse({"error": "No published article has this id."}, status=404)
    views = answer.views
    return JsonResponse(
        {
            "counted": answer.verdict.countable,
            "views": views,
            "display": human_count(views),
            "unit": ngettext("view", "views", views),
        }
    )


@never_cache
@xframe_options_deny
@require_GET
def pixel(request, article_id: int):
    if record_beacon(article_id=article_id, meta=request.META) is None:
        return HttpResponse(
            "No published article has this id.", status=404, content_type="text/plain"
        )
    return HttpResponse(PIXEL, content_type="image/gif")
