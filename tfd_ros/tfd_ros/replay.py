"""Replay an instruction bag into running nodes and record their outputs to a bag."""

from pathlib import Path
import sys
import time

import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSDurabilityPolicy, QoSProfile, QoSReliabilityPolicy
from rclpy.serialization import serialize_message
from std_msgs.msg import String
from tfd_msgs.msg import ConditionVector, EconDecision, InstructionOutcome, TaskProposal

from tfd_ros import bags, qos
from tfd_ros.operator_client import wait_until_priced
from tfd_ros.processes import processes

# The recorder takes only what is published while it records: a VOLATILE subscription does
# not receive the vector that the publisher keeps for late joiners (TRANSIENT_LOCAL).
_LIVE = QoSProfile(depth=1000, reliability=QoSReliabilityPolicy.RELIABLE,
                   durability=QoSDurabilityPolicy.VOLATILE)
_TYPES = {'/instruction_outcome': (InstructionOutcome, qos.OUTCOME),
          '/task_proposal': (TaskProposal, qos.ECON),
          '/econ_decision': (EconDecision, qos.ECON),
          '/condition_vector': (ConditionVector, _LIVE)}


def replay(bag_in: Path, bag_out: Path, namespace: str = '', rate: float = 1.0,
           settle_s: float = 1.0, timeout_s: float = 60.0, discovery_s: float = 15.0) -> dict:
    """Replay ``bag_in`` into a running tfd_node and record its outputs to ``bag_out``.

    The bag's ``/instruction`` messages are published with their original timing (scaled
    by ``rate``); every output is recorded until each instruction has its outcome. Returns
    the counts ``{'instructions', 'outcomes', 'recorded'}``.
    """
    inputs = [(stamp, msg.data) for topic, stamp, msg in bags.read_bag(bag_in)
              if topic == bags.INSTRUCTION_TOPIC]
    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node('tfd_replay', namespace=namespace or None, context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    recorded = []
    start_ns = time.time_ns()

    def recorder(topic):
        return lambda msg: recorded.append((topic, time.time_ns(), msg))

    subs = [node.create_subscription(msg_type, topic.lstrip('/'), recorder(topic), profile)
            for topic, (msg_type, profile) in _TYPES.items()]
    pub = node.create_publisher(String, 'instruction', qos.INSTRUCTION)

    def spin_until(predicate, deadline):
        while not predicate() and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.005)
        return predicate()

    try:
        if not spin_until(lambda: pub.get_subscription_count() > 0
                          and all(sub.get_publisher_count() > 0 for sub in subs),
                          time.monotonic() + discovery_s):
            raise RuntimeError('tfd_node and econ_controller are not all matched '
                               '(instruction, outputs and econ_decision)')
        spin_until(lambda: False, time.monotonic() + settle_s)
        t0 = time.monotonic()
        first = inputs[0][0] if inputs else 0
        for stamp, text in inputs:
            due = t0 + (stamp - first) / 1e9 / rate
            spin_until(lambda: False, due)
            pub.publish(String(data=text))

        def outcomes():
            return sum(1 for topic, _, _ in recorded if topic == '/instruction_outcome')
        spin_until(lambda: outcomes() >= len(inputs), time.monotonic() + timeout_s)
        spin_until(lambda: False, time.monotonic() + 0.3)  # trailing vectors and decisions
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown(context=context)
    store = bags.tfd_typestore()
    bags.write_bag(bag_out, (
        (topic, bags.OUTPUT_TOPICS[topic], max(stamp, start_ns), serialize_message(msg))
        for topic, stamp, msg in recorded), store)
    return {'instructions': len(inputs), 'recorded': len(recorded),
            'outcomes': sum(1 for topic, _, _ in recorded if topic == '/instruction_outcome')}


def replay_through_nodes(bag_in: Path, bag_out: Path, workdir: Path, namespace: str = '/replay',
                         rate: float = 1.0) -> dict:
    """Replay ``bag_in`` through freshly started nodes and record to ``bag_out``.

    econ_controller and tfd_node run as processes with a new ledger in ``workdir`` and are
    stopped afterwards; returns the counts of ``replay``.
    """
    bin_dir = Path(sys.executable).parent
    remap = ['-r', f'__ns:={namespace}'] if namespace else []
    econ = [bin_dir / 'econ_controller', '--ros-args', *remap,
            '-p', f'ledger_path:={Path(workdir) / "replay-ledger.sqlite3"}']
    tfd = [bin_dir / 'tfd_node', '--ros-args', *remap]
    with processes(econ, tfd):
        wait_until_priced(namespace)  # the warm-up's outputs end before recording starts
        return replay(bag_in, bag_out, namespace=namespace, rate=rate)
