"""Django's PostgreSQL backend with the site's check before the pool lends a connection
(``ENGINE = "gazette.core.postgresql"``; see base.py)."""
