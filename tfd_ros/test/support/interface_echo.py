"""A separate process that echoes every tfd_msgs message and serves an echoing Instruct action.

Topics: ``in/<Type>`` is republished unchanged on ``out/<Type>``. The ``instruct`` action
sends one feedback per stage constant and returns an outcome whose reasons are the goal's
text and operator id. Prints ``READY`` once everything is created.
"""

import sys

import rclpy
from rclpy.action import ActionServer
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSDurabilityPolicy, QoSProfile, QoSReliabilityPolicy
from tfd_msgs.action import Instruct
from tfd_msgs.msg import (
    ConditionVector,
    EconDecision,
    InstructionOutcome,
    ProposalWithdrawal,
    TaskProposal,
)

TYPES = (ConditionVector, TaskProposal, EconDecision, InstructionOutcome, ProposalWithdrawal)
QOS = QoSProfile(depth=10, reliability=QoSReliabilityPolicy.RELIABLE,
                 durability=QoSDurabilityPolicy.VOLATILE)


class Echo(Node):

    def __init__(self):
        super().__init__('interface_echo')
        self._keep = []
        for msg_type in TYPES:
            name = msg_type.__name__
            pub = self.create_publisher(msg_type, f'out/{name}', QOS)
            self._keep.append(pub)
            self._keep.append(self.create_subscription(
                msg_type, f'in/{name}', pub.publish, QOS))
        self._server = ActionServer(self, Instruct, 'instruct', self._execute)

    def _execute(self, goal_handle):
        for stage in (Instruct.Feedback.STAGE_RECEIVED, Instruct.Feedback.STAGE_COMPILED):
            goal_handle.publish_feedback(Instruct.Feedback(stage=stage))
        result = Instruct.Result()
        result.outcome.outcome = InstructionOutcome.REJECTED_SAFETY
        result.outcome.reasons = [goal_handle.request.text, goal_handle.request.operator_id]
        goal_handle.abort()
        return result


def main():
    rclpy.init()
    node = Echo()
    executor = MultiThreadedExecutor()
    executor.add_node(node)
    print('READY', flush=True)
    try:
        executor.spin()
    except KeyboardInterrupt:
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    sys.exit(main())
