"""Serve one subscription from a thread of its own, with a wait set built for it alone.

rclpy's executors rebuild their wait set from every entity of every node each time they wait,
in Python: about 0.12-0.15 ms per message on a small machine, as much as tfd_node's whole
instruction callback costs. The instruction subscription is tfd_node's hot path, so it is
taken off the executor: its callback group (``OwnThreadGroup``) tells every executor that it
cannot run it (its QoS event handlers stay with the executor), and a ``SubscriptionThread``
waits on that subscription alone, as ``rclpy.wait_for_message`` does, and hands each waiting
message to the callback. The node's other entities (timers, services, the action server,
other subscriptions) stay with the executor. The subscription is still the node's:
remapping, ``ros2 node info`` and QoS matching see no difference.
"""

import threading
import traceback
from typing import Callable
import weakref

from rclpy.callback_groups import CallbackGroup
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy

from tfd_ros.drain import take_waiting

WAIT_TIMEOUT_NS = 500_000_000  # how often an idle thread checks that the context is still up


class OwnThreadGroup(CallbackGroup):
    """A callback group whose served entities no executor runs: a thread of their own does.

    ``SubscriptionThread`` marks the subscription (and its own guard condition) as served. The
    rest of the group, the subscription's QoS event handlers (rclpy's warning about a
    publisher with incompatible QoS among them), runs on the executor as in a reentrant group.
    """

    def __init__(self):
        super().__init__()
        self._served = set()

    def serve_elsewhere(self, entity) -> None:
        """Keep ``entity`` out of every executor's wait sets from now on."""
        self._served.add(weakref.ref(entity))

    def can_execute(self, entity) -> bool:
        """Tell executors whether the entity is theirs to run (not a served one)."""
        return weakref.ref(entity) not in self._served

    def beginning_execution(self, entity) -> bool:
        """Let an executor run any entity but a served one."""
        return self.can_execute(entity)

    def ending_execution(self, entity) -> None:
        """Nothing to release: entities of the group may run at the same time."""


class SubscriptionThread:
    """Wait on ``subscription`` in a thread; call ``callback(msg, info)`` for each message.

    The subscription must be in an ``OwnThreadGroup``, so that no executor takes its messages
    too, and the thread must be made before an executor spins the node. Up to ``limit``
    messages already waiting are taken per wake-up. An exception from ``callback`` is logged
    with its traceback and the thread goes on with the next message. The thread ends with
    ``stop()`` or when the node's context shuts down.
    """

    def __init__(self, node, subscription, callback: Callable[[object, dict], None],
                 limit: int, name: str):
        group = subscription.callback_group
        if not isinstance(group, OwnThreadGroup):
            raise ValueError(f'subscription on {subscription.topic_name} must be in an '
                             f'OwnThreadGroup, not {type(group).__name__}')
        self._node = node
        self._subscription = subscription
        self._callback = callback
        self._limit = limit
        group.serve_elsewhere(subscription)
        # Served too, so no executor waits on it; stop() triggers it to end a wait.
        self._wake = node.create_guard_condition(lambda: None, callback_group=group)
        group.serve_elsewhere(self._wake)
        self._running = True
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """End the thread: it finishes the message in hand and takes no more."""
        self._running = False
        try:
            self._wake.trigger()
        except Exception:  # noqa: B902 - the node may already be torn down; the wait times out
            pass
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def is_alive(self) -> bool:
        """Tell whether the thread still serves the subscription."""
        return self._thread.is_alive()

    def _serve(self) -> None:
        context = self._node.context
        subscription, wake = self._subscription, self._wake
        wait_set = _rclpy.WaitSet(1, 1, 0, 0, 0, 0, context.handle)
        while self._running and context.ok():
            try:
                with context.handle, subscription.handle, wake.handle:
                    wait_set.clear_entities()
                    wait_set.add_subscription(subscription.handle)
                    wait_set.add_guard_condition(wake.handle)
                    wait_set.wait(WAIT_TIMEOUT_NS)
                if not self._running:
                    return
                for msg, info in take_waiting(subscription, self._limit):
                    self._call(msg, info)
            except Exception as exc:  # noqa: B902 - shut down or destroyed under the thread
                if self._running and context.ok():
                    self._node.get_logger().error(
                        f'{self._thread.name}: waiting on {subscription.topic_name} failed, '
                        f'no more messages are taken: {exc!r}')
                return

    def _call(self, msg, info) -> None:
        try:
            self._callback(msg, info)
        except Exception:  # noqa: B902 - one bad message must not end the intake
            self._node.get_logger().error(
                f'{self._thread.name}: callback on {self._subscription.topic_name} failed:\n'
                f'{traceback.format_exc()}')
