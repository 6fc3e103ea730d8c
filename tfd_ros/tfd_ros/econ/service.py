"""``EconService``: quote then decide, one ``EconDecision`` per proposal, never an exception."""

import logging
from pathlib import Path
from typing import Optional, Union

from tfd_ros.econ.ledger import Ledger
from tfd_ros.econ.pricing import PricingModel
from tfd_ros.proposal import EconDecisionData, TaskProposalData

_LOG = logging.getLogger(__name__)


class EconService:
    """Price a proposal with ``pricing`` and record the decision in ``ledger``."""

    def __init__(self, pricing: PricingModel, ledger: Ledger):
        self.pricing = pricing
        self.ledger = ledger

    @classmethod
    def from_files(cls, econ_file: Optional[Union[str, Path]] = None,
                   db_path: Optional[Union[str, Path]] = None) -> 'EconService':
        """Load ``econ_file`` (None: packaged econ.yaml) and open the ledger at ``db_path``."""
        pricing = PricingModel.from_file(econ_file)
        return cls(pricing, open_ledger(pricing, db_path))

    def handle(self, proposal: TaskProposalData) -> EconDecisionData:
        """Return the decision on ``proposal``; an internal error yields a rejection."""
        try:
            quote = self.pricing.quote(proposal)
            return self.ledger.decide(proposal, quote)
        except Exception as exc:  # noqa: BLE001 - every proposal gets an answer
            _LOG.exception('econ decision on %s failed', proposal.proposal_id)
            return EconDecisionData(
                proposal_id=proposal.proposal_id, approved=False,
                reason=f'rejected: economic controller error: {type(exc).__name__}: {exc}')

    def withdraw(self, proposal_id: str, operator_id: str, reason: str) -> float:
        """Withdraw a proposal in the ledger (refund, refuse later); return the refund."""
        return self.ledger.withdraw(proposal_id, operator_id, reason)

    def close(self) -> None:
        """Close the ledger."""
        self.ledger.close()


def open_ledger(pricing: PricingModel, path: Optional[Union[str, Path]] = None) -> Ledger:
    """Open the ledger at ``path`` (None: default path) with the accounts of ``pricing``."""
    accounts = pricing.accounts
    return Ledger(path, default_balance=accounts.default_balance_credits,
                  seed_accounts=accounts.seed_balances_credits,
                  unpriced_intents=pricing.unpriced_intents)
