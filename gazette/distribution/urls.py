from django.urls import path

from . import feeds, views

app_name = "distribution"
urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemaps/pages.xml", views.sitemap_pages, name="sitemap-pages"),
    path("sitemaps/news.xml", views.sitemap_news, name="sitemap-news"),
    path("sitemaps/articles-<int:number>.xml", views.sitemap_articles, name="sitemap-articles"),
    # Sections features add through news (gazette.news.syndication), e.g. topics.
    path("sitemaps/<slug:name>.xml", views.sitemap_section, name="sitemap-section"),
    path("feeds/rss.xml", feeds.ArticleFeed(), name="feed-rss"),
    path("feeds/atom.xml", feeds.SiteAtomFeed(), name="feed-atom"),
    path("feeds/sections/<slug:slug>/rss.xml", feeds.SectionFeed(), name="section-rss"),
    path("feeds/sections/<slug:slug>/atom.xml", feeds.SectionAtomFeed(), name="section-atom"),
    path("feeds/authors/<slug:slug>/rss.xml", feeds.AuthorFeed(), name="author-rss"),
    path("feeds/authors/<slug:slug>/atom.xml", feeds.AuthorAtomFeed(), name="author-atom"),
    # Subjects features offer through news (gazette.news.syndication), e.g. topics. A str
    # slug: taggit keeps accented letters in its slugs.
    path("feeds/<slug:kind>/<str:slug>/rss.xml", feeds.SubjectFeed(), name="subject-rss"),
    path("feeds/<slug:kind>/<str:slug>/atom.xml", feeds.SubjectAtomFeed(), name="subject-atom"),
]
