"""Publish ``Bring me cup <i>.`` on ``instruction`` at a fixed rate, in its own process.

``python -m tfd_ros.bench.flooder RATE_PER_S DURATION_S [NAMESPACE]`` prints ``ready:`` once
matched, ``SENT <n> <seconds>`` when done and ``ACKED True`` once every message was
delivered. Each text is distinct, so a collector can tell that every one got its outcome.
"""

import sys
import time

import rclpy
from rclpy.duration import Duration
from rclpy.qos import QoSProfile, QoSReliabilityPolicy
from std_msgs.msg import String

TEXT = 'Bring me cup {}.'
PACE_EVERY = 8  # messages between clock checks


def main(argv=None) -> int:
    """Flood until done, then wait until every message was acknowledged."""
    argv = sys.argv[1:] if argv is None else argv
    rate, duration = float(argv[0]), float(argv[1])
    rclpy.init()
    node = rclpy.create_node('flooder', namespace=argv[2] if len(argv) > 2 else None)
    # A deep KEEP_LAST writer: a KEEP_ALL one blocks, then fails, while it waits for acks.
    pub = node.create_publisher(String, 'instruction', QoSProfile(
        depth=int(rate * duration) + 1, reliability=QoSReliabilityPolicy.RELIABLE))
    deadline = time.monotonic() + 15.0
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    print('ready: flooder', flush=True)
    time.sleep(1.0)  # the collector is already subscribed; let the match settle
    count = int(rate * duration)
    msg = String()  # one message, refilled: publish() serialises it at once
    start = time.monotonic()
    for i in range(count):
        if not i % PACE_EVERY:
            delay = start + i / rate - time.monotonic()
            if delay > 0.0005:
                time.sleep(delay)
        msg.data = TEXT.format(i)
        pub.publish(msg)
    print(f'SENT {count} {time.monotonic() - start:.3f}', flush=True)
    # Stay until the reliable writer has delivered everything still in its history.
    acked = pub.wait_for_all_acked(Duration(seconds=120))
    print(f'ACKED {acked}', flush=True)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
