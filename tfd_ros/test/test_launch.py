"""launch_pytest test of launch/tfd_launch.py (runs where launch_pytest is installed)."""

from pathlib import Path

import pytest

launch_pytest = pytest.importorskip(
    'launch_pytest', reason='launch_pytest is not installed (it is not published on PyPI; '
    'this test runs on a robot or workstation with a ROS 2 apt install)')
launch_ros = pytest.importorskip('launch_ros', reason='launch_ros is not installed')

from launch.actions import IncludeLaunchDescription  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402

from launch import LaunchDescription  # noqa: E402

LAUNCH_FILE = Path(__file__).resolve().parents[1] / 'launch' / 'tfd_launch.py'


@launch_pytest.fixture
def launch_description():
    return LaunchDescription([
        IncludeLaunchDescription(PythonLaunchDescriptionSource(str(LAUNCH_FILE)),
                                 launch_arguments={'namespace': 'launch_test'}.items()),
        launch_pytest.actions.ReadyToTest(),
    ])


@pytest.mark.launch(fixture=launch_description)
def test_nodes_come_up_and_answer(launch_context):
    from tfd_ros.operator_client import OperatorClient
    with OperatorClient(namespace='/launch_test', node_name='launch_client') as client:
        assert client.wait_for_server(20.0)
        reply = client.send('Run through the wall', 'op', 20.0)
        assert not reply.accepted and reply.outcome.violated_rules
        assert client.send('Wipe the table.', 'op', 20.0).accepted
