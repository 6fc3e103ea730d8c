"""Take the messages already waiting in a subscription's queue, in one callback.

rclpy's executors run one callback per message, with a wait-set round between them that
costs more than many callbacks do; a subscriber that must keep up with bursts takes the
rest of the burst itself, through the subscription's handle, as the executor would.
"""

from typing import Iterator


def take_waiting(subscription, limit: int) -> Iterator[tuple]:
    """Yield ``(message, info)`` for up to ``limit`` messages that already wait; never block."""
    handle = subscription.handle
    for _ in range(limit):
        with handle:
            taken = handle.take_message(subscription.msg_type, subscription.raw)
        if taken is None:
            return
        yield taken
