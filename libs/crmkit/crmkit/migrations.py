"""Alembic, one migration history per service, each in its own version table.

A service keeps its scripts in its package (``<service>/migrations``); its env.py is
one call to ``run_env``.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text

from .db import make_engine

MIGRATION_LOCK_KEY = 0x0C12_0A1E


def config(service: str, package: str, database_url: str) -> Config:
    cfg = Config()
    # The imported package's folder, not alembic's "package:migrations" lookup, which can
    # pick a same-named folder on sys.path (the repository's gateway/ beside gateway/gateway/).
    folder = Path(importlib.import_module(f"{package}.migrations").__file__).parent
    cfg.set_main_option("script_location", str(folder))
    # Stored on the config, not interpolated: a password may contain '%'.
    cfg.attributes["database_url"] = database_url
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, package: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(config(service, package, database_url), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    cfg = context.config
    engine = make_engine(cfg.attributes["database_url"], pool_size=1)
    version_table = f"alembic_version_{cfg.attributes['service']}"
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata,
            version_table=version_table, render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas set up at once (initContainers) take turns instead of racing to
                # create the version table; the lock ends with the transaction.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            context.run_migrations()
    engine.dispose()
