"""``health`` RPC that every service has: it answers only when the service consumes
RPC and reaches its database."""
from sqlalchemy import text

from .entrypoints import database_attribute, rpc


class Health:
    @rpc
    def health(self):
        unit = getattr(self, database_attribute(type(self)))
        unit.session.execute(text("SELECT 1"))
        return {"service": type(self).name, "status": "ok"}
