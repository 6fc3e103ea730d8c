"""The sovereign safety policy: rules in data (``config/safety.yaml``), checked in code."""

from tfd_ros.safety.policy import SafetyPolicy, SafetyVerdict, Violation
from tfd_ros.safety.rules import CATEGORIES, RulesError, SafetyRules, load_rules

__all__ = ['CATEGORIES', 'load_rules', 'RulesError', 'SafetyPolicy', 'SafetyRules',
           'SafetyVerdict', 'Violation']
