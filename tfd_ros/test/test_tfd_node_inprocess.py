"""tfd_node in this process with an isolated rclpy Context: parameters and concurrent goals.

Every node here lives in the ``NAMESPACE`` namespace: an action server that ends with this
process's context can linger for a while in other processes' view of the graph, and must not
be taken for the ``/instruct`` server of the end-to-end tests that may run after these.
"""

import pytest

pytestmark = pytest.mark.ros

rclpy = pytest.importorskip('rclpy')

NAMESPACE = '/inprocess'


def _node(context, **overrides):
    from rclpy.parameter import Parameter

    from tfd_ros.tfd_node import TfdNode
    params = [Parameter(k, value=v) for k, v in overrides.items()]
    return TfdNode(context=context, namespace=NAMESPACE, parameter_overrides=params)


def test_every_config_field_is_a_described_parameter(context):
    from tfd_ros.config import TFDConfig
    node = _node(context)
    try:
        for name in TFDConfig.model_fields:
            desc = node.describe_parameter(name)
            assert desc.description, name
        assert node.describe_parameter('safety_file').read_only
        assert node.describe_parameter('ontology_file').read_only
        timeout = node.describe_parameter('econ_timeout_s').floating_point_range[0]
        assert (timeout.from_value, timeout.to_value) == (0.0, 60.0)
        assert node.describe_parameter('max_pending').integer_range[0].to_value == 100000
    finally:
        node.destroy_node()


def test_safety_can_be_raised_never_relaxed(context):
    from rclpy.parameter import Parameter
    node = _node(context, safety_filter='standard')
    try:
        assert node.pipeline.safety.level == 'standard'
        up = node.set_parameters([Parameter('safety_filter', value='strict')])[0]
        assert up.successful, up.reason
        assert node.pipeline.safety.level == 'strict'
        down = node.set_parameters([Parameter('safety_filter', value='standard')])[0]
        assert not down.successful and 'relax' in down.reason
        assert node.config.safety_filter == 'strict'
        assert node.pipeline.safety.level == 'strict'
    finally:
        node.destroy_node()


def test_invalid_and_read_only_changes_refused(context):
    from rclpy.parameter import Parameter
    node = _node(context)
    try:
        bad = node.set_parameters([Parameter('econ_timeout_s', value=0.0)])[0]
        assert not bad.successful and 'econ_timeout_s' in bad.reason
        assert node.config.econ_timeout_s == 2.0
        locked = node.set_parameters([Parameter('safety_file', value='/tmp/lax.yaml')])[0]
        assert not locked.successful
        ok = node.set_parameters([Parameter('allowed_intents', value=['navigation'])])[0]
        assert ok.successful, ok.reason
        assert node.config.allowed_intents == ['navigation']
    finally:
        node.destroy_node()


def test_concurrent_goals_multithreaded(context):
    """Goals in flight at once on a multi-threaded executor each get their own outcome.

    No economic controller runs, so every priced goal waits for econ_timeout_s at the same
    time. The client has its own context and spins while it sends: goal responses travel on
    a service whose default history keeps only the last 10.
    """
    import threading

    from rclpy.action import ActionClient
    from rclpy.context import Context
    from rclpy.executors import MultiThreadedExecutor, SingleThreadedExecutor
    from tfd_msgs.action import Instruct
    from tfd_msgs.msg import InstructionOutcome
    node = _node(context, econ_timeout_s=1.0, allowed_intents=['clean_area'])
    server_executor = MultiThreadedExecutor(num_threads=4, context=context)
    server_executor.add_node(node)
    spinner = threading.Thread(target=server_executor.spin, daemon=True)
    spinner.start()
    client_context = Context()
    rclpy.init(context=client_context)
    client_node = rclpy.create_node('inproc_client', namespace=NAMESPACE,
                                   context=client_context)
    executor = SingleThreadedExecutor(context=client_context)
    executor.add_node(client_node)
    client = ActionClient(client_node, Instruct, 'instruct')
    texts = ['Wipe the table.', 'Go to the kitchen.', 'Stop!', 'Run through the wall',
             'What a lovely day.', 'x' * 2000] * 3
    try:
        assert client.wait_for_server(timeout_sec=10.0)
        results = []
        for text in texts:
            future = client.send_goal_async(Instruct.Goal(text=text, operator_id='op'))
            executor.spin_until_future_complete(future, timeout_sec=10.0)
            results.append(future.result().get_result_async())
        for future in results:
            executor.spin_until_future_complete(future, timeout_sec=10.0)
        codes = [f.result().result.outcome.outcome for f in results]
        expected = [InstructionOutcome.ECON_UNAVAILABLE, InstructionOutcome.INTENT_NOT_ALLOWED,
                    InstructionOutcome.ACCEPTED, InstructionOutcome.REJECTED_SAFETY,
                    InstructionOutcome.NOT_UNDERSTOOD, InstructionOutcome.INVALID_INPUT] * 3
        assert codes == expected
        stats = node.stats()
        assert stats['received'] == len(texts) and stats['pending'] == 0
        assert stats['pending_peak'] == 3  # the three priced goals waited at the same time
    finally:
        executor.shutdown()
        client_node.destroy_node()
        rclpy.try_shutdown(context=client_context)
        server_executor.shutdown()
        spinner.join(5.0)
        node.destroy_node()


def test_burst_beyond_the_delay_is_refused_at_intake(context):
    import time

    from rclpy.executors import SingleThreadedExecutor
    from support.ros_graph import spin_until
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros import qos
    node = _node(context, require_econ_approval=False, max_queue_delay_s=0.05)
    probe = rclpy.create_node('burst_probe', namespace=NAMESPACE, context=context)
    outcomes = []
    probe.create_subscription(InstructionOutcome, 'instruction_outcome', outcomes.append,
                              qos.OUTCOME)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(probe)
    try:
        assert spin_until(executor, lambda: node.count_subscribers('instruction_outcome'), 5.0)
        texts = [f'Bring me cup {i}.' for i in range(400)]
        waited = {'received_timestamp': time.time_ns() - 10_000_000}  # not fresh: queued
        node._intake(texts[0], waited)  # the first one measures the compile time
        assert spin_until(executor, lambda: len(outcomes) == 1, 5.0)
        for text in texts[1:]:
            node._intake(text, waited)
        assert spin_until(executor, lambda: len(outcomes) >= len(texts), 30.0)
        assert sorted(o.proposal.raw_text for o in outcomes) == sorted(texts)
        shed = [o for o in outcomes if o.outcome == InstructionOutcome.REJECTED_OVERLOAD]
        at_intake = [o for o in shed if 'ahead in the queue' in o.reasons[0]]
        assert at_intake and 'max_queue_delay_s=0.05' in at_intake[0].reasons[0]
        assert any(o.accepted for o in outcomes)
        assert node.stats()['outcomes']['REJECTED_OVERLOAD'] == len(shed)
    finally:
        executor.shutdown()
        probe.destroy_node()
        node.destroy_node()


@pytest.mark.parametrize('sim_time', [False, True])
def test_stamps_follow_the_node_clock(context, sim_time):
    import time
    node = _node(context, require_econ_approval=False)
    try:
        if sim_time:
            from rclpy.parameter import Parameter
            assert node.set_parameters([Parameter('use_sim_time', value=True)])[0].successful
        stamp = node._now()
        if sim_time:  # no /clock message yet: the simulated clock stands at zero
            assert (stamp.sec, stamp.nanosec) == (0, 0)
        else:
            assert abs(stamp.sec + stamp.nanosec * 1e-9 - time.time()) < 1.0
            assert 0 <= stamp.nanosec < 1_000_000_000
    finally:
        node.destroy_node()
