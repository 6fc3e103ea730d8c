"""QoS profiles of tfd_ros topics, chosen per topic and documented here in one place.

- ``instruction`` (operator text in): RELIABLE, VOLATILE, KEEP_ALL. An order must not be
  lost because a burst outran the node: the callback only moves each message into the
  node's bounded queue, and with KEEP_ALL a reliable writer is throttled by the reader's
  resource limits instead of overwriting unread samples. Compatible with the default
  profile of ``ros2 topic pub``. (A publisher that sends bursts should itself use a deep
  KEEP_LAST history: a KEEP_ALL writer blocks and then fails while it waits for acks.)
- ``task_proposal`` / ``econ_decision`` (TFD <-> economic controller): RELIABLE, VOLATILE,
  KEEP_LAST(1000). A proposal that waits for a decision is timed out by the node, so a
  deep, bounded queue is enough; a late joiner must not receive stale orders (VOLATILE).
- ``condition_vector`` (to the VLA policy): RELIABLE, TRANSIENT_LOCAL, KEEP_LAST(1). The
  policy needs the current conditioning, also when it starts after the last instruction.
- ``instruction_outcome`` (every instruction): RELIABLE, VOLATILE, KEEP_LAST(10000): deep
  enough that a monitoring subscriber can fall seconds behind a flood without losing an
  outcome, bounded so that a stalled one cannot grow the node's memory without limit.
- ``proposal_withdrawal`` (TFD -> economic controller): as ``task_proposal``.
- ``diagnostics``: the ROS default (RELIABLE, VOLATILE, KEEP_LAST(10)).
"""

from rclpy.qos import QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, QoSReliabilityPolicy

INSTRUCTION = QoSProfile(history=QoSHistoryPolicy.KEEP_ALL,
                         reliability=QoSReliabilityPolicy.RELIABLE,
                         durability=QoSDurabilityPolicy.VOLATILE)
ECON = QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=1000,
                  reliability=QoSReliabilityPolicy.RELIABLE,
                  durability=QoSDurabilityPolicy.VOLATILE)
CONDITION_VECTOR = QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=1,
                              reliability=QoSReliabilityPolicy.RELIABLE,
                              durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)
OUTCOME = QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=10000,
                     reliability=QoSReliabilityPolicy.RELIABLE,
                     durability=QoSDurabilityPolicy.VOLATILE)
DIAGNOSTICS = QoSProfile(depth=10)
