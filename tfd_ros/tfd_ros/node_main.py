"""Process entry point shared by the executables: init, create nodes, spin, shut down."""

import argparse
import os
import sys

import rclpy
from rclpy.executors import (
    ExternalShutdownException,
    MultiThreadedExecutor,
    SingleThreadedExecutor,
)
from rclpy.utilities import remove_ros_args

from tfd_ros.config import ConfigError


def run_nodes(factory, args=None) -> int:
    """Create the nodes from ``factory()`` and spin them; return the exit code.

    The executor is single-threaded by default (lowest latency; the action path waits on
    futures, not threads). ``--threads N`` (N > 1) selects a multi-threaded executor.
    """
    argv = sys.argv if args is None else args
    parser = argparse.ArgumentParser(prog=os.path.basename(argv[0]) if argv else None)
    parser.add_argument('--threads', type=int, default=1,
                        help='executor threads; 1 = single-threaded executor (default)')
    options = parser.parse_args(remove_ros_args(argv)[1:])
    rclpy.init(args=argv)
    nodes = []
    try:
        nodes = factory()
    except ConfigError as exc:
        print(f'refusing to start: {exc}', file=sys.stderr, flush=True)
        rclpy.try_shutdown()
        return 2
    except Exception as exc:  # a bad ontology, safety or econ file: name it, do not start
        print(f'refusing to start: {type(exc).__name__}: {exc}', file=sys.stderr, flush=True)
        rclpy.try_shutdown()
        return 2
    executor = (MultiThreadedExecutor(num_threads=options.threads) if options.threads > 1
                else SingleThreadedExecutor())
    for node in nodes:
        executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        executor.shutdown()
        for node in nodes:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0
