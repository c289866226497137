"""Each service's migrations make exactly the schema its models declare, on PostgreSQL
and on SQLite: a column, index or constraint added to a model without its migration (or
the other way round) fails here, not in production at the first query that needs it."""
from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from crmkit import migrations
from crmkit.testing import PostgresDatabases

# (service, package, the module whose Base the migrations' env.py names)
SCHEMAS = [("leads", "leads", "leads.models"), ("deals", "deals", "deals.models"),
           ("billing", "billing", "billing.models"), ("subscriptions", "subscriptions", "subscriptions.models"),
           ("gateway", "gateway", "gateway.auth")]


# Made by a migration on PostgreSQL only, on purpose beyond the models: the trigram
# indexes of leads' search by substring (leads migration 0010; SQLite has no pg_trgm).
POSTGRESQL_ONLY_INDEXES = {f"ix_leads_{column}_trgm" for column in ("company", "email", "first_name", "last_name")}


def differences(url: str, service: str, package: str, models: str) -> list:
    migrations.upgrade(service, package, url)
    metadata = importlib.import_module(models).Base.metadata
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "version_table": f"alembic_version_{service}"})
            # Other services' version tables are not in this metadata: only this one's is ignored.
            return [d for d in compare_metadata(context, metadata) if not _version_table(d) and not (
                d[0] == "remove_index" and d[1].name in POSTGRESQL_ONLY_INDEXES and url.startswith("postgresql"))]
    finally:
        engine.dispose()


def _version_table(difference) -> bool:
    table = difference[1] if isinstance(difference, tuple) and len(difference) > 1 else None
    return getattr(table, "name", "").startswith("alembic_version")


@pytest.fixture(scope="module")
def postgres():
    with PostgresDatabases([service for service, _, _ in SCHEMAS], prefix="crm_schema") as databases:
        yield databases


@pytest.mark.parametrize("service, package, models", SCHEMAS, ids=[s for s, _, _ in SCHEMAS])
def test_the_migrations_make_the_models_schema_on_postgresql(postgres, service, package, models):
    assert differences(postgres.url(service), service, package, models) == []


@pytest.mark.parametrize("service, package, models", SCHEMAS, ids=[s for s, _, _ in SCHEMAS])
def test_the_migrations_make_the_models_schema_on_sqlite(tmp_path, service, package, models):
    assert differences(f"sqlite:///{tmp_path / service}.db", service, package, models) == []
