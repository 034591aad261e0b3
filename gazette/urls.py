from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from gazette.comments.views import moderation_page
from gazette.core import views as core_views
from gazette.core.editions import edition_patterns
from gazette.core.includes import include_under
from gazette.distribution.api import api as public_api
from gazette.news.routing import serve_article, serve_page
from gazette.news.translating import TranslatePageView

urlpatterns = [
    # Wagtail's Translate action at its own address, answered by ours first: it refuses a
    # page translated already (or whose parent is not) with a clear message, not a 500.
    path(
        "admin/translation/submit/page/<int:page_id>/",
        TranslatePageView.as_view(),
        name="translate_page",
    ),
    include_under("admin/", include(wagtailadmin_urls)),
    include_under("documents/", include(wagtaildocs_urls)),
    include_under("comments/", include("gazette.comments.urls")),
    # Outside /comments/: nginx's page cache keeps it, as it keeps every reader page.
    path("moderation/", moderation_page, name="moderation"),
    include_under("analytics/", include("gazette.analytics.urls")),
    include_under("api/v1/", public_api.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

if settings.SERVE_MEDIA:
    from django.urls import re_path
    from django.views.static import serve

    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]

# Reader pages: a second-language edition's under its language's prefix (/ko/...), the site's
# own language's unprefixed (gazette.core.editions).
urlpatterns += edition_patterns(
    # Listings and search of the edition's own stories (/ko/search/, /ko/authors/<slug>/...).
    include_under("authors/", include("gazette.news.urls")),
    include_under("search/", include("gazette.search.urls")),
    include_under("topics/", include("gazette.topics.urls")),
    include_under("corrections/", include("gazette.corrections.urls")),
    # Each edition's lists, their forms and the links of their e-mails, in its language.
    include_under("newsletters/", include("gazette.newsletters.urls")),
    # An article in one query (gazette.news.routing); pages not kept through Wagtail's tree.
    path("<slug:section>/<slug:slug>/", serve_article, name="article"),
    # Feeds per edition (/ko/feeds/rss.xml); the sitemaps, one for every edition, at the root
    # (also answered under a prefix: the same file). After the article: an include without a
    # prefix raises Resolver404 for every address it does not answer, and none of its
    # addresses (a dot in the last part, no closing slash) can be an article's.
    path("", include("gazette.distribution.urls")),
    # The edition's home page and its sections, kept by their address (gazette.news.routing).
    path("", serve_page),
    path("<slug:section>/", serve_page),
    path("", include(wagtail_urls)),
)

# A database outage answers 503 "We'll be right back" rather than 500 (gazette.core.views).
handler500 = "gazette.core.views.server_error"
