"""Start tfd_ros executables as separate processes and talk to them from a test."""

from pathlib import Path
import sys
import time

import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from support.ros_graph import spawn, spin_until, stop

from tfd_ros.operator_client import wait_until_priced

BIN = Path(sys.executable).parent


def start(executable: str, *ros_args: str, namespace: str = '', env=None):
    """Start ``executable`` (a tfd_ros console script) and wait until it logs ``ready``."""
    args = [str(BIN / executable), '--ros-args', '--log-level', 'info']
    if namespace:
        args += ['-r', f'__ns:={namespace}']
    args += list(ros_args)
    return spawn(args, ready_token='ready:', env=env, interpreter=False)


class Probe:
    """A node in its own context that publishes, subscribes and spins on demand."""

    def __init__(self, name='probe', namespace=''):
        self.context = Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(name, namespace=namespace or None, context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def collect(self, msg_type, topic, qos):
        """Subscribe ``topic`` and return the list its messages are appended to."""
        received = []
        self.node.create_subscription(msg_type, topic, received.append, qos)
        return received

    def spin_until(self, predicate, timeout=10.0):
        return spin_until(self.executor, predicate, timeout)

    def spin_for(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.executor.spin_once(timeout_sec=0.02)

    def close(self):
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)


__all__ = ['start', 'stop', 'Probe', 'wait_until_priced']

