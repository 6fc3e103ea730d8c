"""The pure core (compiler, ontology, safety, pricing, ledger, pipeline) never imports rclpy.

Every module of the package is imported in a fresh interpreter, except the ROS adapters
listed below, and the core is exercised once end to end; rclpy must not be loaded after.
A new core module is checked without being listed here.
"""

import pkgutil

import tfd_ros

# The thin ROS adapters: the only modules allowed to import rclpy or tfd_msgs.
ADAPTERS = frozenset({
    'tfd_ros.tfd_node', 'tfd_ros.econ_node', 'tfd_ros.bringup', 'tfd_ros.node_main',
    'tfd_ros.conversions', 'tfd_ros.parameters', 'tfd_ros.qos', 'tfd_ros.operator_client',
    'tfd_ros.replay', 'tfd_ros.bench.run', 'tfd_ros.bench.baseline', 'tfd_ros.bench.flooder',
    'tfd_ros.subscription_thread',
})


def core_modules():
    names = [m.name for m in pkgutil.walk_packages(tfd_ros.__path__, 'tfd_ros.')]
    return sorted(n for n in names if n not in ADAPTERS)


def test_adapters_exist():
    names = {m.name for m in pkgutil.walk_packages(tfd_ros.__path__, 'tfd_ros.')}
    assert ADAPTERS <= names, ADAPTERS - names


def test_core_imports_and_runs_without_rclpy(python_fresh):
    modules = core_modules()
    assert 'tfd_ros.safety.policy' in modules and 'tfd_ros.compiler.heuristic' in modules
    code = '\n'.join([
        'import importlib, sys',
        *(f'importlib.import_module({name!r})' for name in modules),
        'from tfd_ros.config import TFDConfig',
        'from tfd_ros.factory import build_pipeline',
        'from tfd_ros.econ.pricing import PricingModel',
        'pipeline = build_pipeline(TFDConfig())',
        'pending = pipeline.prepare("Wipe the table, then bring me a sponge.", "op")',
        'assert PricingModel.from_file(None).quote(pending.proposal).price > 0',
        'assert not pipeline.safety.check("smash the window").allowed',
        "assert 'rclpy' not in sys.modules, 'rclpy was imported by the core'",
        "assert 'tfd_msgs' not in sys.modules, 'tfd_msgs was imported by the core'",
        "print('ok')",
    ])
    result = python_fresh(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'ok'
