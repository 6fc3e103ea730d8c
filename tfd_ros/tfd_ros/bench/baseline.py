"""Bare rclpy baselines, run as their own process: a String echo and an instant action server.

``python -m tfd_ros.bench.baseline echo`` answers each ``std_msgs/String`` on ``bench_in``
with an ``InstructionOutcome`` on ``bench_out`` carrying the received text, with the same
QoS as tfd_node's ``instruction``/``instruction_outcome``. The answer is a prebuilt outcome
of an accepted instruction (proposal, decision and condition vector filled), so that the
baseline moves messages of the same sizes as tfd_node and does none of its work.
``... echo-like-tfd`` is the same echo, in namespace ``LIKE_NAMESPACE``, with tfd_node's
other executor entities added (see ``add_tfd_entities``). ``... action`` serves ``Instruct``
on ``bench_instruct`` and succeeds at once with the same prebuilt outcome. All print
``ready:`` when up.
"""

import sys

import rclpy
from rclpy.action import ActionServer
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from std_msgs.msg import String
from tfd_msgs.action import Instruct
from tfd_msgs.msg import ConditionVector, EconDecision, InstructionOutcome, TaskProposal

from tfd_ros import qos

LIKE_NAMESPACE = '/like_tfd'
TEMPLATE_TEXT = 'Clean the kitchen, but be careful with the vase.'


def template_outcome() -> InstructionOutcome:
    """Build, once, the outcome tfd_node would send for an accepted design example."""
    from tfd_ros import conversions
    from tfd_ros.config import TFDConfig
    from tfd_ros.factory import build_pipeline
    from tfd_ros.proposal import EconDecisionData
    pipeline = build_pipeline(TFDConfig())
    pending = pipeline.prepare(TEMPLATE_TEXT, 'bench')
    decision = EconDecisionData(proposal_id=pending.proposal.proposal_id, approved=True,
                                price=160.0, energy_wh=60.0, wear_cost=20.0,
                                account_balance=1840.0, reason='approved')
    return conversions.result_to_msg(pipeline.finish(pending, decision))


def add_tfd_entities(node) -> None:
    """Give ``node`` the executor entities tfd_node has beside its instruction subscription.

    rclpy's executor rebuilds its wait set from every entity for each message, so this
    echo shows what the entities alone cost: a second subscription, the ``Instruct`` action
    server, the publishers and tfd_node's timers (expiry, diagnostics, log summary).
    """
    node.create_subscription(EconDecision, 'bench_decision', lambda _msg: None, qos.ECON)
    node.create_publisher(TaskProposal, 'bench_proposal', qos.ECON)
    node.create_publisher(ConditionVector, 'bench_vector', qos.CONDITION_VECTOR)
    node.bench_server = ActionServer(node, Instruct, 'bench_like_instruct',
                                     lambda goal_handle: Instruct.Result())
    node.create_timer(0.02, lambda: None)
    node.create_timer(1.0, lambda: None)
    node.create_timer(1.0, lambda: None)


def main(argv=None) -> int:
    """Run one baseline until interrupted."""
    argv = sys.argv[1:] if argv is None else argv
    kind = argv[0] if argv else 'echo'
    rclpy.init()
    # The two echoes run side by side: the one with tfd_node's entities in its own namespace.
    node = rclpy.create_node(f'bench_{kind.replace("-", "_")}',
                             namespace=LIKE_NAMESPACE if kind == 'echo-like-tfd' else '')
    answer = template_outcome()
    if kind in ('echo', 'echo-like-tfd'):
        pub = node.create_publisher(InstructionOutcome, 'bench_out', qos.OUTCOME)

        def echo(msg):
            answer.proposal.raw_text = msg.data
            pub.publish(answer)
        node.create_subscription(String, 'bench_in', echo, qos.INSTRUCTION)
        if kind == 'echo-like-tfd':
            add_tfd_entities(node)
    else:
        def execute(goal_handle):
            goal_handle.succeed()
            answer.proposal.raw_text = goal_handle.request.text
            return Instruct.Result(outcome=answer)
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
