"""Serve one subscription from a thread of its own, with a wait set built for it alone.

rclpy's executors rebuild their wait set from every entity of every node each time they wait,
in Python: about 0.12-0.15 ms per message on a small machine, as much as tfd_node's whole
instruction callback costs. The instruction subscription is tfd_node's hot path, so it is
taken off the executor: its callback group (``OwnThreadGroup``) tells every executor that it
cannot run it, and a ``SubscriptionThread`` waits on that subscription alone, as
``rclpy.wait_for_message`` does, and hands each waiting message to the callback. The
subscription's QoS event handlers (rclpy's warning about a publisher with incompatible QoS
among them) are served by the same thread, through the public ``Waitable`` interface: the
middleware lets one wait set at a time watch a subscription and its events, so they cannot
stay with the executor. The node's other entities (timers, services, the action server, other
subscriptions) stay with the executor. The subscription is still the node's: remapping,
``ros2 node info`` and QoS matching see no difference.
"""

from contextlib import ExitStack
import threading
import traceback
from typing import Callable

from rclpy.callback_groups import CallbackGroup
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy

from tfd_ros.drain import take_waiting

WAIT_TIMEOUT_NS = 500_000_000  # how often an idle thread checks that the context is still up


class OwnThreadGroup(CallbackGroup):
    """A callback group that no executor runs: its entities are served by their own thread."""

    def can_execute(self, entity) -> bool:
        """Tell executors to leave the entity out of their wait sets."""
        return False

    def beginning_execution(self, entity) -> bool:
        """Refuse: the entity's thread runs its callback, not an executor."""
        return False

    def ending_execution(self, entity) -> None:
        """Nothing to release: no executor ever began."""


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
        # In the same group, so no executor waits on it; stop() triggers it to end a wait.
        self._wake = node.create_guard_condition(lambda: None, callback_group=group)
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
        events = list(subscription.event_handlers)
        wait_set = _rclpy.WaitSet(1, 1, 0, 0, 0, sum(
            e.get_num_entities().num_events for e in events), context.handle)
        with ExitStack() as held:
            # The events stay in use while the thread lives; the subscription goes with them,
            # and a destroyed one ends the thread at its next wait.
            for event in events:
                held.enter_context(event)
            while self._running and context.ok():
                try:
                    with context.handle, subscription.handle, wake.handle:
                        wait_set.clear_entities()
                        wait_set.add_subscription(subscription.handle)
                        wait_set.add_guard_condition(wake.handle)
                        for event in events:
                            event.add_to_wait_set(wait_set)
                        wait_set.wait(WAIT_TIMEOUT_NS)
                        ready = [event for event in events if event.is_ready(wait_set)]
                    if not self._running:
                        return
                    for event in ready:
                        self._call_event(event)
                    for msg, info in take_waiting(subscription, self._limit):
                        self._call(msg, info)
                except Exception as exc:  # noqa: B902 - shut down or destroyed under the thread
                    if self._running and context.ok():
                        self._node.get_logger().error(
                            f'{self._thread.name}: waiting on {subscription.topic_name} '
                            f'failed, no more messages are taken: {exc!r}')
                    return

    def _call_event(self, event) -> None:
        try:
            _run_to_end(event.execute(event.take_data()))
        except Exception:  # noqa: B902 - nor must a failing event callback
            self._node.get_logger().error(
                f'{self._thread.name}: event callback on {self._subscription.topic_name} '
                f'failed:\n{traceback.format_exc()}')

    def _call(self, msg, info) -> None:
        try:
            self._callback(msg, info)
        except Exception:  # noqa: B902 - one bad message must not end the intake
            self._node.get_logger().error(
                f'{self._thread.name}: callback on {self._subscription.topic_name} failed:\n'
                f'{traceback.format_exc()}')


def _run_to_end(coroutine) -> None:
    """Run a ``Waitable.execute`` coroutine whose callback is a plain function, as rclpy's are."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    coroutine.close()
    raise RuntimeError('an event callback that awaits cannot run on a subscription thread')
