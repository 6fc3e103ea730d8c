"""Bring up tfd_node and the reference econ_controller."""

from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

from launch import LaunchDescription


def generate_launch_description():
    """Declare the arguments and the two nodes."""
    namespace = LaunchConfiguration('namespace')
    params_file = LaunchConfiguration('params_file')
    log_level = LaunchConfiguration('log_level')
    return LaunchDescription([
        DeclareLaunchArgument(
            'namespace', default_value='',
            description='Namespace of both nodes and their topics (one per robot).'),
        DeclareLaunchArgument(
            'params_file',
            default_value=PathJoinSubstitution([FindPackageShare('tfd_ros'), 'config',
                                                'tfd.yaml']),
            description='ROS parameters file (ros__parameters) for tfd_node and econ_controller.'),
        DeclareLaunchArgument(
            'compiler', default_value='heuristic',
            description='Semantic compiler backend: heuristic, llm or cascade.'),
        DeclareLaunchArgument(
            'use_econ_controller', default_value='true',
            description='Start the reference econ_controller beside tfd_node.'),
        DeclareLaunchArgument(
            'log_level', default_value='info',
            description='Logging level of both nodes (debug, info, warn, error).'),
        Node(package='tfd_ros', executable='tfd_node', name='tfd_node', namespace=namespace,
             parameters=[params_file, {'compiler': LaunchConfiguration('compiler')}],
             arguments=['--ros-args', '--log-level', log_level], output='screen'),
        Node(package='tfd_ros', executable='econ_controller', name='econ_controller',
             namespace=namespace, parameters=[params_file],
             arguments=['--ros-args', '--log-level', log_level], output='screen',
             condition=IfCondition(LaunchConfiguration('use_econ_controller'))),
    ])
