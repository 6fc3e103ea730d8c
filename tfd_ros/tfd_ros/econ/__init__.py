"""Economics of the reference economic controller: pricing, the operator ledger, the service."""

from tfd_ros.econ.ledger import Ledger, LedgerEntry, default_ledger_path
from tfd_ros.econ.pricing import PricingModel, Quote
from tfd_ros.econ.service import EconService

__all__ = [
    'default_ledger_path', 'EconService', 'Ledger', 'LedgerEntry', 'PricingModel', 'Quote',
]
