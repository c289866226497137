"""The subscriptions service's nameko entrypoints: a thin shell over the use cases."""
from crmkit.entrypoints import Call, every, rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

from . import events
from . import subscriptions as use
from .settings import QueueSettings


class SubscriptionsService(Health):
    name = "subscriptions"

    db = Database(events.CATALOGUE)
    call = Call()

    @rpc
    def create_subscription(self, data, owner_role, owner_id=None):
        return use.create(self.db, data, owner_role, owner_id)

    @rpc
    def list_subscriptions(self, query):
        return use.list_(self.db, query)

    @rpc
    def get_subscription(self, subscription_id):
        return use.get(self.db, subscription_id)

    @rpc
    def update_subscription(self, subscription_id, data, expected_version=None):
        return use.change(self.db, subscription_id, data, expected_version)

    @rpc
    def pause_subscription(self, subscription_id, expected_version=None):
        return use.pause(self.db, subscription_id, expected_version)

    @rpc
    def resume_subscription(self, subscription_id, expected_version=None):
        return use.resume(self.db, subscription_id, expected_version)

    @rpc
    def delete_subscription(self, subscription_id, expected_version=None):
        return use.delete(self.db, subscription_id, expected_version)

    @rpc
    def rotate_subscription_secret(self, subscription_id, expected_version=None):
        return use.rotate_secret(self.db, subscription_id, expected_version)

    @rpc
    def replay_subscription(self, subscription_id, data, expected_version=None):
        return use.replay(self.db, subscription_id, data, expected_version)

    @rpc
    def subscription_deliveries(self, subscription_id, query):
        return use.deliveries(self.db, subscription_id, query)

    @rpc
    def subscription_dead_letters(self, subscription_id, query):
        return use.dead_letters(self.db, subscription_id, query)

    @rpc
    def redeliver_dead_letter(self, subscription_id, dead_letter_id):
        return use.redeliver(self.db, subscription_id, dead_letter_id)

    # Only this service holds the broker's management login (queue subscriptions' users),
    # so the sweep of their leftovers runs here, not in the dispatcher.
    @every(interval=lambda: QueueSettings.from_env().sweep_seconds)
    def sweep_queues(self):
        use.sweep_queues(self.db)

    # The gateway's Events/Subscribe stream of a stream subscription (not API operations)
    @rpc
    def open_stream(self, subscription_id):
        return use.open_stream(self.db, subscription_id)

    @rpc
    def stream_progress(self, subscription_id, generation, position, delivered, holder=None):
        return use.stream_progress(self.db, subscription_id, generation, position, delivered, holder)
