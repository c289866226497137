"""A service made only to exercise crmkit from the outside, started by the tests with
``crm-service run crmkit_test_services:ProbeService``."""
from __future__ import annotations

import logging
import os

from marshmallow import Schema, fields
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crmkit import platform_tables
from crmkit.catalogue import Catalogue, other
from crmkit.db import new_metadata
from crmkit.entrypoints import Call, event_handler, rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    metadata = new_metadata()


platform_tables.install(Base.metadata)


class Effect(Base):
    __tablename__ = "effects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)


class Probe(Schema):
    key = fields.String(required=True)


class ProbeService(Health):
    name = "probe"

    db = Database(Catalogue("probe", other("probe.recorded", Probe, "A probe recorded its key.")))
    call = Call()

    @rpc
    def whoami(self):
        return self.call.as_context_data()

    @rpc
    def record(self, key, fail_after_emit=False):
        # No flush here: the INSERT reaches the database only at commit, so a duplicate
        # key fails in the commit itself, after this method has returned.
        self.db.session.add(Effect(key=key))
        self.db.emit("probe.recorded", key, {"key": key})
        log.info("recording %s", key)
        if fail_after_emit:
            raise RuntimeError("the change and its event must both be rolled back")
        return key

    @rpc
    def effects(self, key):
        return self.db.session.scalar(select(func.count()).select_from(Effect).where(Effect.key == key))

    @event_handler("crm.probe.happened.v1")
    def on_happened(self, event):
        if os.path.exists(event.data.get("fail_while", "")):
            raise RuntimeError(f"told to fail while {event.data['fail_while']} exists")
        self.db.session.add(Effect(key=event.data["key"]))
