"""The compiler core, ontology, condition vector and evaluation never import rclpy."""

from conftest import run_python


def test_compiler_modules_do_not_import_rclpy():
    code = (
        'import sys\n'
        'import tfd_ros.ontology, tfd_ros.condition_vector, tfd_ros.evaluate\n'
        'import tfd_ros.compiler, tfd_ros.compiler.text, tfd_ros.compiler.morphology\n'
        'import tfd_ros.compiler.slots, tfd_ros.compiler.modifiers, tfd_ros.compiler.compound\n'
        'import tfd_ros.commands.compile, tfd_ros.commands.eval\n'
        'from tfd_ros.compiler import HeuristicCompiler\n'
        'from tfd_ros.condition_vector import ConditionVectorBuilder\n'
        'hc = HeuristicCompiler()\n'
        'ConditionVectorBuilder(hc.config, hc.ontology).build(hc.compile("Open the door"))\n'
        "assert 'rclpy' not in sys.modules, 'rclpy was imported'\n"
        "print('ok')\n")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == 'ok'
