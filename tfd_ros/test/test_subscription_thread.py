"""A subscription served by a thread of its own, off the executor, with an isolated Context.

The nodes live in the ``NAMESPACE`` namespace, away from the names the end-to-end tests use.
"""

import threading
import time

import pytest

pytestmark = pytest.mark.ros

rclpy = pytest.importorskip('rclpy')

NAMESPACE = '/subscription_thread'


def _spin_until(executor, predicate, timeout_s=10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        executor.spin_once(timeout_sec=0.01)
    return True


class _Served:
    """A node whose ``in`` subscription is served by a ``SubscriptionThread``."""

    def __init__(self, context, fail_on=None, event_callbacks=None):
        from rclpy.executors import SingleThreadedExecutor
        from std_msgs.msg import String

        from tfd_ros.qos import INSTRUCTION
        from tfd_ros.subscription_thread import OwnThreadGroup, SubscriptionThread
        self.node = rclpy.create_node('served', namespace=NAMESPACE, context=context)
        self.sender = rclpy.create_node('sender', namespace=NAMESPACE, context=context)
        self.by_executor = []
        self.got = []  # (text, thread name, info has a reception stamp)
        self.fail_on = fail_on
        self.sub = self.node.create_subscription(String, 'in', self.by_executor.append,
                                                 INSTRUCTION, callback_group=OwnThreadGroup(),
                                                 event_callbacks=event_callbacks)
        self.pub = self.sender.create_publisher(String, 'in', INSTRUCTION)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self.executor.add_node(self.sender)
        self.thread = SubscriptionThread(self.node, self.sub, self._callback, 4, 'served_in')

    def _callback(self, msg, info):
        if msg.data == self.fail_on:
            raise RuntimeError(f'cannot handle {msg.data}')
        self.got.append((msg.data, threading.current_thread().name,
                         info.get('received_timestamp', 0) > 0))

    def send(self, texts):
        from std_msgs.msg import String
        assert _spin_until(self.executor, lambda: self.pub.get_subscription_count() > 0)
        for text in texts:
            self.pub.publish(String(data=text))

    def close(self):
        self.thread.stop()
        self.executor.shutdown()
        self.sender.destroy_node()
        self.node.destroy_node()


def test_each_message_once_in_order_on_its_thread_never_by_the_executor(context):
    served = _Served(context)
    try:
        texts = [f'order {i}' for i in range(50)]  # more than a batch of 4: several wake-ups
        served.send(texts)
        # The executor spins throughout: it must not take a single message itself.
        assert _spin_until(served.executor, lambda: len(served.got) >= len(texts))
        _spin_until(served.executor, lambda: False, 0.3)
        assert [text for text, _, _ in served.got] == texts
        assert {name for _, name, _ in served.got} == {'served_in'}
        assert all(stamped for _, _, stamped in served.got)
        assert served.by_executor == []
    finally:
        served.close()


def test_a_failing_callback_is_logged_and_the_next_message_still_served(context, capfd):
    served = _Served(context, fail_on='bad')
    try:
        served.send(['first', 'bad', 'last'])
        assert _spin_until(served.executor, lambda: len(served.got) >= 2)
        assert [text for text, _, _ in served.got] == ['first', 'last']
        assert served.thread.is_alive()
    finally:
        served.close()
    err = capfd.readouterr().err
    assert f'served_in: callback on {NAMESPACE}/in failed' in err and 'cannot handle bad' in err


def _stderr_after(capfd, executor, seconds: float) -> str:
    # Read the captured stream only once the executor has spun for a while: a line written by
    # another thread while readouterr() truncates the capture would be lost.
    _spin_until(executor, lambda: False, seconds)
    return capfd.readouterr().err


def test_a_publisher_with_incompatible_qos_is_still_reported(context, capfd):
    from rclpy.qos import QoSProfile, QoSReliabilityPolicy
    from std_msgs.msg import String
    served = _Served(context)
    try:
        served.sender.create_publisher(
            String, 'in', QoSProfile(depth=10, reliability=QoSReliabilityPolicy.BEST_EFFORT))
        err = _stderr_after(capfd, served.executor, 1.5)
        if 'offering incompatible QoS' not in err:  # a slow machine: once more
            err += _stderr_after(capfd, served.executor, 5.0)
        # rclpy's own warning, from the subscription's logger (the node's) on the thread
        assert (f"[{NAMESPACE[1:]}.served]: New publisher discovered on topic 'in', "
                'offering incompatible QoS') in err
        assert served.thread.is_alive() and served.by_executor == []
    finally:
        served.close()


def test_a_failing_event_callback_is_logged_and_messages_still_served(context, capfd):
    from rclpy.event_handler import SubscriptionEventCallbacks
    from rclpy.qos import QoSProfile, QoSReliabilityPolicy
    from std_msgs.msg import String
    called = []

    def fail(_event):
        called.append(threading.current_thread().name)
        raise RuntimeError('event callback broke')
    served = _Served(context, event_callbacks=SubscriptionEventCallbacks(incompatible_qos=fail))
    try:
        served.sender.create_publisher(
            String, 'in', QoSProfile(depth=10, reliability=QoSReliabilityPolicy.BEST_EFFORT))
        assert _spin_until(served.executor, lambda: called)
        assert called == ['served_in']
        err = _stderr_after(capfd, served.executor, 0.5)
        assert f'served_in: event callback on {NAMESPACE}/in failed' in err
        assert 'event callback broke' in err
        served.send(['still served'])
        assert _spin_until(served.executor, lambda: len(served.got) == 1)
    finally:
        served.close()


def test_stop_ends_the_thread_at_once(context):
    served = _Served(context)
    try:
        assert served.thread.is_alive()
        started = time.monotonic()
        served.thread.stop()
        assert not served.thread.is_alive()
        # The guard condition ends the wait: far sooner than the idle wait's timeout.
        assert time.monotonic() - started < 0.4
        served.send(['after stop'])
        _spin_until(served.executor, lambda: False, 0.3)
        assert served.got == [] and served.by_executor == []
    finally:
        served.close()


def test_context_shutdown_ends_the_thread(context):
    served = _Served(context)
    thread = served.thread
    rclpy.shutdown(context=context)
    deadline = time.monotonic() + 5.0
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not thread.is_alive()


def test_a_subscription_the_executor_could_run_is_refused(context):
    from std_msgs.msg import String

    from tfd_ros.subscription_thread import SubscriptionThread
    node = rclpy.create_node('refused', namespace=NAMESPACE, context=context)
    try:
        sub = node.create_subscription(String, 'in', lambda _msg: None, 10)
        with pytest.raises(ValueError, match='must be in an OwnThreadGroup, not '
                                             'MutuallyExclusiveCallbackGroup'):
            SubscriptionThread(node, sub, lambda _msg, _info: None, 4, 'refused_in')
    finally:
        node.destroy_node()


def test_tfd_node_serves_instructions_on_its_intake_thread(context):
    from rclpy.parameter import Parameter

    from tfd_ros.subscription_thread import OwnThreadGroup
    from tfd_ros.tfd_node import TfdNode
    node = TfdNode(context=context, namespace=NAMESPACE,
                   parameter_overrides=[Parameter('require_econ_approval', value=False)])
    try:
        assert isinstance(node._instruction_sub.callback_group, OwnThreadGroup)
        assert node._intake_thread.is_alive()
    finally:
        node.destroy_node()
    assert not node._intake_thread.is_alive()
