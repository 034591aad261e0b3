"""The two endpoints readers post to: a comment, a report. Neither is ever cached.

The article page itself is cached whole for every reader, so it carries no CSRF token. These
views are exempt from the token check and defend against cross-site requests instead by
checking that the request comes from our own origin (Sec-Fetch-Site, then Origin, then
Referer: OWASP's "verifying origin with standard headers"). Everything else keeps Django's
CSRF middleware.
"""

from __future__ import annotations

from functools import partial
from math import ceil
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gazette.core.client import client_ip
from gazette.news.models import ArticlePage, CommentPolicy

from . import rules, services
from .forms import CommentForm
from .models import TEXT_LIMIT, Comment, CommentSettings
from .presentation import NOTICES, PAGE_PARAM, PAGE_SIZE, STATUS_PARAM

REPORT_LIMITS = ("10/m", "60/h")


class SeeOther(HttpResponseRedirect):
    """303: after a POST, the browser GETs the article again."""

    status_code = 303


def same_origin(request: HttpRequest) -> bool:
    """Did a page of this site send the request? Browsers set these headers themselves; a
    request without any of them is refused, as OWASP recommends."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        if not (referer.scheme and referer.netloc):
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _cross_site(request: HttpRequest) -> HttpResponse:
    message = "This form can only be sent from the article page on this site."
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": "cross_site", "message": message}, status=403)
    return render(request, "comments/refused.html", {"message": message}, status=403)


def _refused(
    request: HttpRequest,
    *,
    article: ArticlePage,
    form: CommentForm | None,
    code: str,
    message: str,
    status: int,
    fields: dict | None = None,
    pre_moderated: bool = False,
) -> HttpResponse:
    """The reader's text comes back with the message: nothing typed is lost."""
    if _wants_json(request):
        body = {"ok": False, "code": code, "message": message, "fields": fields or {}}
        response = JsonResponse(body, status=status)
    else:
        context = {
            "article": article,
            "message": message,
            "form": form,
            "stamp": rules.make_stamp(article.pk),
            "limit": TEXT_LIMIT,
            "pre_moderated": pre_moderated,
        }
        response = render(request, "comments/refused.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _limits(site_settings: CommentSettings) -> list[str]:
    per = ((site_settings.per_minute, "m"), (site_settings.per_hour, "h"))
    return [f"{count}/{unit}" for count, unit in per if count]


@csrf_exempt
@never_cache
@require_POST
def post_comment(request: HttpRequest, article_id: int) -> HttpResponse:
    if not same_origin(request):
        return _cross_site(request)
    article = get_object_or_404(ArticlePage.objects.live().public(), pk=article_id)
    site_settings = CommentSettings.for_reader(request)
    form = CommentForm(request.POST)
    mode = services.moderation_for(article, site_settings)
    refuse = partial(
        _refused,
        request,
        article=article,
        form=form,
        pre_moderated=mode == CommentPolicy.PRE_MODERATION,
    )
    if mode == CommentPolicy.CLOSED:
        return refuse(code="closed", message="Comments on this article are closed.", status=403)
    if not form.is_valid():
        message = " ".join(form.errors_for_reader())
        return refuse(code="invalid", message=message, status=400, fields=form.errors)
    client = rules.client_hash(client_ip(request))
    if rules.rate_limited(
        request, group="comments.post", client=client, limits=_limits(site_settings)
    ):
        message = (
            "You have posted several comments in a short time. "
            "Wait a minute, then send this one again."
        )
        return refuse(code="rate_limited", message=message, status=429)
    data = form.cleaned_data
    try:
        comment = services.post_comment(
            article=article,
            site_settings=site_settings,
            author_name=data["name"],
            email=data["email"],
            text=data["text"],
            client=client,
            honeypot=data["website"],
            stamp_age=rules.stamp_age(data["stamp"], article.pk),
        )
    except services.CommentRefused as refused:
        return refuse(code=refused.code, message=refused.message, status=refused.status)
    return _accepted(request, article, comment, site_settings)


def _accepted(
    request: HttpRequest, article: ArticlePage, comment: Comment, site_settings: CommentSettings
) -> HttpResponse:
    # A comment kept as spam gets the same answer as a held one: a bot learns nothing.
    published = comment.status == Comment.Status.PUBLISHED
    status = "published" if published else "pending"
    count = Comment.objects.published().on(article).count() if published else None
    if _wants_json(request):
        body = {"ok": True, "status": status, "message": NOTICES[status]}
        if published:
            body["count"] = count
            body["html"] = render_to_string(
                "comments/comment.html",
                {"comment": comment, "links_clickable": site_settings.links_clickable},
                request=request,
            )
        return JsonResponse(body, status=201)
    query = f"?{STATUS_PARAM}={status}"
    anchor = "#comments"
    if published:
        last_page = max(1, ceil(count / PAGE_SIZE))
        if last_page > 1:
            query += f"&{PAGE_PARAM}={last_page}"
        anchor = f"#comment-{comment.pk}"
    return SeeOther(article.get_url(request) + query + anchor)


@csrf_exempt
@never_cache
@require_POST
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not same_origin(request):
        return _cross_site(request)
    comment = get_object_or_404(
        Comment.objects.published().select_related("article"), pk=comment_id
    )
    article = comment.article
    client = rules.client_hash(client_ip(request))
    if rules.rate_limited(request, group="comments.report", client=client, limits=REPORT_LIMITS):
        message = "You have sent many reports in a short time. Wait a minute, then try again."
        return _refused(
            request, article=article, form=None, code="rate_limited", message=message, status=429
        )
    services.report_comment(comment=comment, client=client)
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": "reported", "message": NOTICES["reported"]})
    return SeeOther(article.get_url(request) + f"?{STATUS_PARAM}=reported#comments")
