"""Readers' pages and endpoints.

The list of newsletters, a newsletter's page and its archive are the same for every reader:
the page cache keeps them, and their forms carry no CSRF token. The subscribe endpoint is
never cached and defends against cross-site posts by checking the request's origin (as the
comments do, ``origin.py``). The links of the e-mails (confirm, preferences, unsubscribe) carry
a signed token: that is their proof, and their pages are never cached either. A GET of those
links changes nothing (mail scanners open links); a POST does.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gazette.core.client import client_ip
from gazette.core.origin import same_origin

from . import limits, services, tokens
from .forms import PreferencesForm, SubscribeForm
from .models import Issue, Newsletter, Subscriber, Subscription, normalise_email
from .rendering import issue_context, site_root

CHECK_INBOX = _(
    "Almost done: we have sent you an e-mail. Click the link in it to confirm; "
    "nothing else is sent until you do."
)
BAD_LINK = _(
    "This link is not one we sent, it was cut short, or it has expired. "
    "Copy the whole link from the e-mail, or subscribe again."
)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def index(request: HttpRequest) -> HttpResponse:
    newsletters = Newsletter.objects.offered().in_edition()
    return render(request, "newsletters/index.html", {"newsletters": newsletters})


def newsletter_page(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = get_object_or_404(Newsletter, slug=slug)
    issues = Issue.objects.archived().filter(newsletter=newsletter)[:50]
    context = {"newsletter": newsletter, "issues": issues}
    return render(request, "newsletters/newsletter.html", context)


def issue_page(request: HttpRequest, slug: str, issue_id: int) -> HttpResponse:
    """A sent issue on the web: the same stories, without anyone's links."""
    issue = get_object_or_404(
        Issue.objects.archived().select_related("newsletter"),
        pk=issue_id,
        newsletter__slug=slug,
    )
    context = issue_context(issue, site_root())
    return render(request, "newsletters/issue.html", context)


def _answer(
    request: HttpRequest,
    *,
    ok: bool,
    message: str,
    status: int,
    form: SubscribeForm | None = None,
    code: str = "",
) -> HttpResponse:
    if _wants_json(request):
        body = {"ok": ok, "message": message, "code": code}
        if form is not None and form.errors:
            body["fields"] = form.errors
        response = JsonResponse(body, status=status)
    else:
        context = {
            "ok": ok,
            "message": message,
            "form": form,
            "newsletters": Newsletter.objects.offered().in_edition(),
            "chosen": request.POST.getlist("newsletters"),
            "email": request.POST.get("email", ""),
        }
        response = render(request, "newsletters/subscribe_result.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return response


@csrf_exempt
@never_cache
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    if not same_origin(request):
        return _answer(
            request,
            ok=False,
            status=403,
            code="cross_site",
            message=_("This form can only be sent from a page of this site."),
        )
    form = SubscribeForm(request.POST)
    if limits.client_limited(request, limits.client_hash(client_ip(request))):
        return _answer(
            request,
            ok=False,
            status=429,
            form=form,
            code="rate_limited",
            message=_(
                "You have sent this form several times in a short time. "
                "Wait a minute, then send it again."
            ),
        )
    if not form.is_valid():
        message = " ".join(form.errors_for_reader())
        return _answer(request, ok=False, status=400, form=form, code="invalid", message=message)
    if form.cleaned_data["website"]:
        # A bot filled the trap: the same answer as a person gets, and nothing sent.
        return _answer(request, ok=True, status=200, message=CHECK_INBOX)
    email = normalise_email(form.cleaned_data["email"])
    if limits.address_limited(request, email):
        return _answer(
            request,
            ok=False,
            status=429,
            form=form,
            code="rate_limited",
            message=_(
                "We have already sent several confirmation e-mails to this address. "
                "Look for them in your inbox (or spam folder), or try again later."
            ),
        )
    services.subscribe(email=email, newsletters=form.cleaned_data["newsletters"])
    return _answer(request, ok=True, status=200, message=CHECK_INBOX)


@csrf_exempt
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (a mail scanner opening the link confirms nothing).
    POST: the lists start."""
    if tokens.read_confirm_token(token) is None:
        return render(request, "newsletters/link.html", {"message": BAD_LINK}, status=404)
    if request.method == "POST":
        done = services.confirm(token=token)
        if done is None:
            return render(request, "newsletters/link.html", {"message": BAD_LINK}, status=404)
        subscriber, newsletters = done
        context = {
            "confirmed": newsletters,
            "preferences_url": _preferences_path(subscriber),
        }
        return render(request, "newsletters/link.html", context)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "newsletters/link.html", {"confirm_token": token})


def _preferences_path(subscriber: Subscriber) -> str:
    return reverse("newsletters:preferences", args=[tokens.preferences_token(subscriber.pk)])


@csrf_exempt
@never_cache
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """A subscriber's lists, by the signed link of any e-mail: tick, untick, or leave all."""
    subscriber_id = tokens.read_preferences_token(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if subscriber is None:
        return render(request, "newsletters/link.html", {"message": BAD_LINK}, status=404)
    saved = False
    if request.method == "POST":
        if not same_origin(request):
            return render(
                request,
                "newsletters/link.html",
                {"message": _("This form can only be sent from its page on this site.")},
                status=403,
            )
        form = PreferencesForm(request.POST)
        if "leave_all" in request.POST:
            services.leave_everything(subscriber=subscriber)
            saved = True
        elif form.is_valid():
            services.set_preferences(
                subscriber=subscriber, newsletters=form.cleaned_data["newsletters"]
            )
            saved = True
        else:
            return render(
                request,
                "newsletters/preferences.html",
                {"form": form, "subscriber": subscriber, "choices": _choices(subscriber)},
                status=400,
            )
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    context = {"subscriber": subscriber, "choices": _choices(subscriber), "saved": saved}
    return render(request, "newsletters/preferences.html", context)


def _choices(subscriber: Subscriber) -> list[tuple[Newsletter, bool]]:
    """The lists the page's edition offers, and any other this reader is on (of any
    edition: leaving one is a choice made here), with whether they get it."""
    active = set(
        Subscription.objects.active()
        .filter(subscriber=subscriber)
        .values_list("newsletter_id", flat=True)
    )
    offered = Newsletter.objects.offered().in_edition().values_list("pk", flat=True)
    newsletters = Newsletter.objects.filter(pk__in=[*offered, *active]).order_by(
        "sort_order", "name"
    )
    return [(newsletter, newsletter.pk in active) for newsletter in newsletters]


@csrf_exempt
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's unsubscribe link and ``List-Unsubscribe`` header. POST (a mail program's
    one-click, RFC 8058, with no token of ours, or the page's button): left at once. GET: a
    page with that one button."""
    read = tokens.read_unsubscribe_token(token)
    if read is None:
        return render(request, "newsletters/link.html", {"message": BAD_LINK}, status=404)
    subscriber_id, newsletter_id, issue_id = read
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    if newsletter is None or not Subscriber.objects.filter(pk=subscriber_id).exists():
        return render(request, "newsletters/link.html", {"message": BAD_LINK}, status=404)
    if request.method == "POST":
        services.unsubscribe(
            subscriber_id=subscriber_id, newsletter_id=newsletter_id, issue_id=issue_id
        )
        context = {
            "left": newsletter,
            "preferences_url": _preferences_path(Subscriber(pk=subscriber_id)),
        }
        return render(request, "newsletters/link.html", context)
    if request.method not in ("GET", "HEAD"):
        raise Http404
    return render(
        request,
        "newsletters/link.html",
        {"unsubscribe_token": token, "newsletter": newsletter},
    )
