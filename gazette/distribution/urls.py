from django.urls import path

from . import feeds, views

app_name = "distribution"
urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemaps/pages.xml", views.sitemap_pages, name="sitemap-pages"),
    path("sitemaps/news.xml", views.sitemap_news, name="sitemap-news"),
    path("sitemaps/articles-<int:number>.xml", views.sitemap_articles, name="sitemap-articles"),
    path("feeds/rss.xml", feeds.ArticleFeed(), name="feed-rss"),
    path("feeds/atom.xml", feeds.SiteAtomFeed(), name="feed-atom"),
    path("feeds/sections/<slug:slug>/rss.xml", feeds.SectionFeed(), name="section-rss"),
    path("feeds/sections/<slug:slug>/atom.xml", feeds.SectionAtomFeed(), name="section-atom"),
    path("feeds/authors/<slug:slug>/rss.xml", feeds.AuthorFeed(), name="author-rss"),
    path("feeds/authors/<slug:slug>/atom.xml", feeds.AuthorAtomFeed(), name="author-atom"),
]
