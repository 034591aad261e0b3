"""How stories leave the site: feeds, sitemaps, structured data and the public API."""
