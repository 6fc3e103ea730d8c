"""``econ_controller``: the reference economic controller (prices proposals, keeps a ledger).

Subscribes ``task_proposal``, prices each proposal with the pure model, records the
decision in the SQLite ledger and publishes ``econ_decision``. A replayed proposal id gets
the recorded decision again and is never charged twice (the ledger is idempotent).
"""

from rclpy.node import Node
from tfd_msgs.msg import EconDecision, ProposalWithdrawal, TaskProposal

from tfd_ros import conversions, qos
from tfd_ros.config import EconControllerConfig
from tfd_ros.econ.service import EconService
from tfd_ros.parameters import declare_and_read
from tfd_ros.proposal import EconDecisionData

READ_ONLY_PARAMETERS = frozenset({'econ_file', 'ledger_path'})


class EconControllerNode(Node):
    """Price every ``TaskProposal`` and answer with one ``EconDecision``."""

    def __init__(self, node_name: str = 'econ_controller', **kwargs):
        super().__init__(node_name, **kwargs)
        self.config = declare_and_read(self, EconControllerConfig, READ_ONLY_PARAMETERS)
        self.service = EconService.from_files(self.config.econ_file or None,
                                              self.config.ledger_path or None)
        self._decision_pub = self.create_publisher(EconDecision, 'econ_decision', qos.ECON)
        self.create_subscription(TaskProposal, 'task_proposal', self._on_proposal, qos.ECON)
        self.create_subscription(ProposalWithdrawal, 'proposal_withdrawal', self._on_withdrawal,
                                 qos.ECON)
        self.get_logger().info(f'ready: ledger {self.service.ledger.path}')

    def _on_proposal(self, msg: TaskProposal) -> None:
        try:
            proposal = conversions.proposal_from_msg(msg)
        except ValueError as exc:
            decision = EconDecisionData(proposal_id=msg.proposal_id, approved=False,
                                        reason=f'rejected: invalid proposal: {exc}')
        else:
            decision = self.service.handle(proposal)
        self._decision_pub.publish(
            conversions.decision_to_msg(decision, self.get_clock().now().to_msg()))

    def _on_withdrawal(self, msg: ProposalWithdrawal) -> None:
        try:
            refund = self.service.withdraw(msg.proposal_id, msg.operator_id, msg.reason)
        except Exception as exc:  # the ledger stays consistent: the transaction rolled back
            self.get_logger().error(f'withdrawal of {msg.proposal_id} failed: {exc!r}')
            return
        if refund:
            self.get_logger().info(f'refunded {refund:.2f} to {msg.operator_id!r} for '
                                   f'withdrawn {msg.proposal_id}: {msg.reason}')

    def destroy_node(self):
        """Close the ledger (if start-up got that far), then the node."""
        service = getattr(self, 'service', None)
        if service is not None:
            service.close()
        return super().destroy_node()


def main(args=None) -> int:
    """Run ``econ_controller`` until interrupted; exit 2 when a parameter is invalid."""
    from tfd_ros.node_main import run_nodes
    return run_nodes(lambda: [EconControllerNode()], args)


if __name__ == '__main__':
    raise SystemExit(main())
