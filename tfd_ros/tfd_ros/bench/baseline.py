"""Bare rclpy baselines, run as their own process: a String echo and an instant action server.

``python -m tfd_ros.bench.baseline echo`` republishes ``bench_in`` on ``bench_out`` with the
same QoS as tfd_node's ``instruction``/``instruction_outcome``; ``... action`` serves
``Instruct`` on ``bench_instruct`` and succeeds at once. Both print ``ready:`` when up.
"""

import sys

import rclpy
from rclpy.action import ActionServer
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from std_msgs.msg import String
from tfd_msgs.action import Instruct

from tfd_ros import qos


def main(argv=None) -> int:
    """Run one baseline until interrupted."""
    argv = sys.argv[1:] if argv is None else argv
    kind = argv[0] if argv else 'echo'
    rclpy.init()
    node = rclpy.create_node(f'bench_{kind}')
    if kind == 'echo':
        pub = node.create_publisher(String, 'bench_out', qos.OUTCOME)
        node.create_subscription(String, 'bench_in', pub.publish, qos.INSTRUCTION)
    else:
        def execute(goal_handle):
            goal_handle.succeed()
            return Instruct.Result()
        node._server = ActionServer(node, Instruct, 'bench_instruct', execute)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    print('ready: baseline', kind, flush=True)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
