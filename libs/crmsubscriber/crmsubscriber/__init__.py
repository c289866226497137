"""Subscribe to the CRM's sales events: from the gateway's gRPC stream
(``StreamSubscriber``), from a queue of your own (``QueueSubscriber``), or by webhook
(``verify`` its signature); each event once (``State`` remembers ids and the position)."""
from .queue import QueueSubscriber, declare_queue
from .state import State
from .stream import StreamSubscriber
from .webhooks import InvalidSignature, verify

__all__ = ["InvalidSignature", "QueueSubscriber", "State", "StreamSubscriber", "declare_queue", "verify"]
