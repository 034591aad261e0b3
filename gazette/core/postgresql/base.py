"""Django's PostgreSQL backend, its connection pool checking connections with
``gazette.core.db_pool.check_connection`` where ``CONN_HEALTH_CHECKS`` is on.

Django 5.2 hands psycopg_pool its own round-trip check and lets no setting name another
(``OPTIONS["pool"]["check"]`` collides with the one it passes), so the pool is built here as
Django builds it (``django.db.backends.postgresql.base.DatabaseWrapper.pool``) with the other
check. Everything else is Django's.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

from gazette.core.db_pool import check_connection


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        options = self.settings_dict["OPTIONS"].get("pool")
        if (
            self.alias == base.NO_DB_ALIAS
            or not options
            or not self.settings_dict["CONN_HEALTH_CHECKS"]
            or self.alias in self._connection_pools
        ):
            return super().pool
        if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
            raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
        kwargs = self.get_connection_params()
        kwargs["autocommit"] = True  # as Django's: it sets the mode itself later
        pool = ConnectionPool(
            kwargs=kwargs,
            open=False,
            configure=self._configure_connection,
            check=check_connection,
            **({} if options is True else options),
        )
        # As Django's: threads racing here agree on the first pool made (none is open yet).
        return self._connection_pools.setdefault(self.alias, pool)
