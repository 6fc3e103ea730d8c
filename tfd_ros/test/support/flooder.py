"""Publish ``Bring me cup <i>.`` on ``instruction`` at a fixed rate, in its own process.

Usage: flooder.py RATE_PER_S DURATION_S [NAMESPACE]. Prints ``READY`` once matched,
``SENT <n> <s>`` when done and ``ACKED True`` once every message was delivered.
"""

import sys
import time

import rclpy
from rclpy.duration import Duration
from rclpy.qos import QoSProfile, QoSReliabilityPolicy
from std_msgs.msg import String


def main() -> int:
    rate, duration = float(sys.argv[1]), float(sys.argv[2])
    rclpy.init()
    node = rclpy.create_node('flooder', namespace=sys.argv[3] if len(sys.argv) > 3 else None)
    # A deep KEEP_LAST writer: a KEEP_ALL one blocks, then fails, while it waits for acks.
    pub = node.create_publisher(String, 'instruction', QoSProfile(
        depth=int(rate * duration) + 1, reliability=QoSReliabilityPolicy.RELIABLE))
    deadline = time.monotonic() + 15.0
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    print('READY', flush=True)
    time.sleep(1.0)  # the collector is already subscribed; let the match settle
    count = int(rate * duration)
    start = time.monotonic()
    for i in range(count):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0.0005:
            time.sleep(delay)
        pub.publish(String(data=f'Bring me cup {i}.'))
    print(f'SENT {count} {time.monotonic() - start:.3f}', flush=True)
    # Stay until the reliable writer has delivered everything still in its history.
    acked = pub.wait_for_all_acked(Duration(seconds=120))
    print(f'ACKED {acked}', flush=True)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
