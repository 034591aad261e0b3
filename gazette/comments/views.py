"""The endpoints readers post to: a comment or a reply, a report, the stop link of the reply
e-mails; and the page that replies without JavaScript. None of the posts is ever cached.

The article page itself is cached whole for every reader, so it carries no CSRF token. These
views are exempt from the token check and defend against cross-site requests instead by
checking that the request comes from our own origin (Sec-Fetch-Site, then Origin, then
Referer: OWASP's "verifying origin with standard headers"). Everything else keeps Django's
CSRF middleware.
"""

from __future__ import annotations

from functools import partial

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gazette.core.client import client_ip
from gazette.core.newsroom_time import site_zone
from gazette.core.origin import same_origin
from gazette.news.models import ArticlePage, CommentPolicy

from . import moderation_report, rules, services
from .forms import CommentForm
from .lookups import article_to_comment_on
from .models import TEXT_LIMIT, Comment, CommentSettings
from .presentation import NOTICES, REPLY_NOTICES, STATUS_PARAM, location_of, posted_comment_html
from .reply_emails import comment_of_token

REPORT_LIMITS = ("10/m", "60/h")


class SeeOther(HttpResponseRedirect):
    """303: after a POST, the browser GETs the article again."""

    status_code = 303


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _cross_site(request: HttpRequest) -> HttpResponse:
    message = gettext("This form can only be sent from the article page on this site.")
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
    parent: Comment | None = None,
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
            "parent": parent,
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
    # The article, the site and its comment settings from the shared parts, as the article
    # page reads them (two cache round trips, no query): saving any of them retires them.
    article = article_to_comment_on(request, article_id)
    if article is None:
        raise Http404("No such article")
    site_settings = CommentSettings.for_page(request)
    form = CommentForm(request.POST)
    parent = _parent(article, request.POST.get("parent"))
    mode = services.moderation_for(article, site_settings)
    refuse = partial(
        _refused,
        request,
        article=article,
        form=form,
        pre_moderated=mode == CommentPolicy.PRE_MODERATION,
        parent=parent,
    )
    if mode == CommentPolicy.CLOSED:
        message = gettext("Comments on this article are closed.")
        return refuse(code="closed", message=message, status=403)
    if not form.is_valid():
        message = " ".join(form.errors_for_reader())
        return refuse(code="invalid", message=message, status=400, fields=form.errors)
    if form.cleaned_data["parent"] and parent is None:
        refused = services.CommentRefused("no_parent", services.NO_PARENT, status=409)
        return refuse(code=refused.code, message=refused.message, status=refused.status)
    client = rules.client_hash(client_ip(request))
    if rules.rate_limited(
        request, group="comments.post", client=client, limits=_limits(site_settings)
    ):
        message = gettext(
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
            notify_replies=data["notify_replies"],
            parent=parent,
            text=data["text"],
            client=client,
            honeypot=data["website"],
            stamp_age=rules.stamp_age(data["stamp"], article.pk),
            request=request,
        )
    except services.CommentRefused as refused:
        return refuse(code=refused.code, message=refused.message, status=refused.status)
    return _accepted(request, article, comment, site_settings)


def _parent(article: ArticlePage, raw: str | None) -> Comment | None:
    """The comment a reply answers, with its own parent: one query; None when there is no
    such comment on the article (the service says why a reply cannot go under it)."""
    if not raw or not raw.isdigit():
        return None
    return Comment.objects.select_related("parent").filter(article=article, pk=int(raw)).first()


def _accepted(
    request: HttpRequest, article: ArticlePage, comment: Comment, site_settings: CommentSettings
) -> HttpResponse:
    # A comment kept as spam gets the same answer as a held one: a bot learns nothing.
    published = comment.status == Comment.Status.PUBLISHED
    status = "published" if published else "pending"
    notices = REPLY_NOTICES if comment.is_reply else NOTICES
    if _wants_json(request):
        body = {"ok": True, "status": status, "message": str(notices[status])}
        if published:
            # Counted with the INSERT on PostgreSQL (one round trip), else counted now.
            count = getattr(comment, "shown_count_with_it", None)
            body["count"] = Comment.objects.shown_count(article.pk) if count is None else count
            body["parent"] = comment.parent_id
            body["html"] = posted_comment_html(comment, links=site_settings.links_clickable)
        return JsonResponse(body, status=201)
    if not published:
        return SeeOther(article.get_url(request) + f"?{STATUS_PARAM}={status}#comments")
    # The page that shows it, with the notice: "?comment=published&comments_page=2#comment-7".
    where = location_of(comment).replace("?", "&", 1)
    return SeeOther(article.get_url(request) + f"?{STATUS_PARAM}={status}" + where)


def reply_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Reply without JavaScript: the comment, and a form that posts a reply to it. The same
    for every reader (no token, nothing personal), so a shared cache may keep it."""
    comment = get_object_or_404(
        Comment.objects.published().select_related("article", "parent"), pk=comment_id
    )
    thread = comment.parent or comment
    article = ArticlePage.objects.live().public().filter(pk=comment.article_id).first()
    if article is None or thread.status != Comment.Status.PUBLISHED:
        raise Http404("No such comment")
    site_settings = CommentSettings.for_reader(request)
    mode = services.moderation_for(article, site_settings)
    context = {
        "article": article,
        "parent": comment,
        "open": mode != CommentPolicy.CLOSED,
        "pre_moderated": mode == CommentPolicy.PRE_MODERATION,
        "links_clickable": site_settings.links_clickable,
        "stamp": rules.make_stamp(article.pk),
        "limit": TEXT_LIMIT,
        "form": None,
    }
    return render(request, "comments/reply.html", context)


@csrf_exempt
@never_cache
def stop_reply_emails(request: HttpRequest, token: str) -> HttpResponse:
    """The stop link of the reply e-mails. GET: a page with one button (mail scanners open
    links; that must not stop anything). POST: stopped, from that button or from a mail
    program's one-click unsubscribe (RFC 8058), which carries no token of ours: the signed
    link is the proof. Never shows the address."""
    comment = comment_of_token(token)
    if comment is None:
        message = gettext(
            "This link is not one we sent, or it was cut short. "
            "Copy the whole link from the e-mail."
        )
        context = {"message": message}
        return render(request, "comments/stop_reply_emails.html", context, status=404)
    if request.method == "POST":
        services.stop_reply_emails(comment=comment)
        return render(request, "comments/stop_reply_emails.html", {"stopped": True})
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "comments/stop_reply_emails.html", {"token": token})


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
        message = gettext(
            "You have sent many reports in a short time. Wait a minute, then try again."
        )
        return _refused(
            request, article=article, form=None, code="rate_limited", message=message, status=429
        )
    services.report_comment(comment=comment, client=client)
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": "reported", "message": str(NOTICES["reported"])})
    return SeeOther(article.get_url(request) + f"?{STATUS_PARAM}=reported#comments")


def moderation_page(request: HttpRequest) -> HttpResponse:
    """/moderation/: what readers sent and what moderation made of it, month by month. Counts
    only; the same for every reader, cached by the page cache like any reader page."""
    months = moderation_report.moderation_report(zone=site_zone(request))
    context = {
        "months": months,
        "shown_months": [
            month
            for month in months
            if month.received
            or month.approved
            or month.rejected
            or month.spam_by_moderators
            or month.sent_back
        ],
        "cache_minutes": moderation_report.REPORT_SECONDS // 60,
        "site_settings": CommentSettings.for_reader(request),
    }
    return render(request, "comments/moderation.html", context)
