"""Side-by-side benchmarks: tfd_node against bare rclpy, measured in one run.

Each measurement starts its processes, measures, and stops them; baselines use the same
client code, QoS and instruction texts as the tfd_node measurements they are compared with.
"""

from collections import Counter
from pathlib import Path
import statistics
import sys
import tempfile
import time

import rclpy
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.serialization import deserialize_message
from std_msgs.msg import String
from tfd_msgs.action import Instruct
from tfd_msgs.msg import InstructionOutcome

from tfd_ros import qos
from tfd_ros.bench import flooder
from tfd_ros.bench.baseline import LIKE_NAMESPACE
from tfd_ros.bench.compile_latency import percentile
from tfd_ros.drain import take_waiting
from tfd_ros.processes import processes

BIN = Path(sys.executable).parent
FLOODER = Path(flooder.__file__)
FLOOD_FACTOR = 5.0
COLLECT_MAX = 1024


def _status_mb(pid: int, key: str) -> float:
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        for line in status:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


def peak_rss_mb(pid: int) -> float:
    """Return a process's peak resident set size (VmHWM) in MB."""
    return _status_mb(pid, 'VmHWM')


def resident_mb(pid: int) -> float:
    """Return a process's current resident set size (VmRSS) in MB."""
    return _status_mb(pid, 'VmRSS')


class Client:
    """The measuring node, in its own context."""

    def __init__(self, namespace: str = ''):
        self.context = Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node('tfd_bench', namespace=namespace, context=self.context)
        self.namespace = namespace
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin_until(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            self.executor.spin_once(timeout_sec=0.01)
        return True

    def close(self):
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)


def topic_round_trips(client, routes, texts, timeout=5.0) -> list:
    """Round trips through each ``(in_topic, out_topic)`` route, interleaved; ms per route.

    For each text, every route in turn gets the text and is waited on for its answer, so
    that the machine's load changes over the run weigh on every route alike.
    """
    received = [[] for _ in routes]
    subs = [client.node.create_subscription(InstructionOutcome, out_topic, got.append,
                                            qos.OUTCOME)
            for (_, out_topic), got in zip(routes, received)]
    pubs = [client.node.create_publisher(String, in_topic, qos.INSTRUCTION)
            for in_topic, _ in routes]
    try:
        for (in_topic, out_topic), pub, sub in zip(routes, pubs, subs):
            if not client.spin_until(lambda: pub.get_subscription_count() > 0
                                     and sub.get_publisher_count() > 0, 15.0):
                raise RuntimeError(f'nobody answers on {in_topic} -> {out_topic}')
        client.spin_until(lambda: False, 0.5)
        samples = [[] for _ in routes]
        for text in texts:
            for route, pub, got, times in zip(routes, pubs, received, samples):
                before = len(got)
                start = time.perf_counter()
                pub.publish(String(data=text))
                if not client.spin_until(lambda: len(got) > before, timeout):
                    raise RuntimeError(f'no answer on {route[1]} for {text!r}')
                times.append((time.perf_counter() - start) * 1000.0)
        return samples
    finally:
        for sub in subs:
            client.node.destroy_subscription(sub)
        for pub in pubs:
            client.node.destroy_publisher(pub)


def action_round_trips(client, action_name, texts, timeout=5.0) -> list:
    """Send each text as an ``Instruct`` goal and wait for the result; return ms each."""
    action = ActionClient(client.node, Instruct, action_name)
    try:
        if not client.spin_until(action.server_is_ready, 15.0):
            raise RuntimeError(f'no action server {action_name}')
        samples = []
        for text in texts:
            start = time.perf_counter()
            goal = action.send_goal_async(Instruct.Goal(text=text, operator_id='bench'))
            if not client.spin_until(goal.done, timeout):
                raise RuntimeError('goal not acknowledged')
            result = goal.result().get_result_async()
            if not client.spin_until(result.done, timeout):
                raise RuntimeError('no result')
            samples.append((time.perf_counter() - start) * 1000.0)
        return samples
    finally:
        action.destroy()


def collect_raw(node, topic: str) -> tuple:
    """Subscribe to outcomes as raw bytes; return the subscription and the growing list.

    Each callback takes the whole backlog: the collector shares the cores with the node
    and the generator, and one executor round per message would make it the bottleneck.
    """
    outcomes = []

    def collect(raw):
        outcomes.append(raw)
        outcomes.extend(taken for taken, _ in take_waiting(sub, COLLECT_MAX))
    sub = node.create_subscription(InstructionOutcome, topic, collect, qos.OUTCOME, raw=True)
    return sub, outcomes


def throughput(client, count: int, texts, timeout=120.0) -> dict:
    """Publish ``count`` instructions as fast as possible; count outcomes and time them.

    Outcomes are taken as raw bytes while the clock runs (the measuring process shares the
    machine with the node) and decoded afterwards to check that none is missing or doubled.
    """
    sub, outcomes = collect_raw(client.node, 'instruction_outcome')
    pub = client.node.create_publisher(String, 'instruction', qos.INSTRUCTION)
    try:
        client.spin_until(lambda: pub.get_subscription_count() > 0
                          and sub.get_publisher_count() > 0, 15.0)
        client.spin_until(lambda: False, 0.5)
        start = time.perf_counter()
        for i in range(count):
            pub.publish(String(data=texts[i % len(texts)]))
            client.executor.spin_once(timeout_sec=0)  # drain outcomes while sending
        sent_s = time.perf_counter() - start
        client.spin_until(lambda: len(outcomes) >= count, timeout)
        elapsed = time.perf_counter() - start
        client.spin_until(lambda: False, 0.3)  # anything doubled would arrive now
        ids = {deserialize_message(raw, InstructionOutcome).proposal_id for raw in outcomes}
        return {'sent': count, 'outcomes': len(outcomes), 'distinct': len(ids),
                'lost': count - len(ids), 'send_s': sent_s, 'elapsed_s': elapsed,
                'throughput_per_s': len(ids) / elapsed}
    finally:
        client.node.destroy_subscription(sub)
        client.node.destroy_publisher(pub)


def flood_over(client, rate: float, duration_s: float, pid: int, timeout=120.0) -> dict:
    """Flood ``instruction`` at ``rate`` from another process; check every outcome arrives.

    Reports the rate the flooder reached, how the node answered (accepted, shed under its
    overload policy, other refusals), instructions without an outcome, and the node's
    resident memory before and at the end.
    """
    sub, outcomes = collect_raw(client.node, 'instruction_outcome')
    count = int(rate * duration_s)
    rss_before = resident_mb(pid)
    try:
        command = [sys.executable, FLOODER, rate, duration_s]
        with processes([*command, client.namespace] if client.namespace else command) as (proc,):
            client.spin_until(lambda: len(outcomes) >= count, duration_s + timeout)
            client.spin_until(lambda: False, 0.3)  # anything doubled would arrive now
            sent = [line.split() for line in proc.lines if line.startswith('SENT')]
        decoded = [deserialize_message(raw, InstructionOutcome) for raw in outcomes]
        codes = Counter(o.outcome for o in decoded)
        texts = {o.proposal.raw_text for o in decoded}
        send_s = float(sent[0][2]) if sent else float('nan')
        return {'rate_per_s': rate, 'duration_s': duration_s, 'sent': count,
                'send_rate_per_s': count / send_s, 'outcomes': len(decoded),
                'accepted': codes[InstructionOutcome.ACCEPTED],
                'shed': codes[InstructionOutcome.REJECTED_OVERLOAD],
                'other_refusals': len(decoded) - codes[InstructionOutcome.ACCEPTED]
                - codes[InstructionOutcome.REJECTED_OVERLOAD],
                'lost': count - len(texts), 'doubled': len(decoded) - len(texts),
                'refusals_without_reason': sum(1 for o in decoded
                                               if not o.accepted and not o.reasons),
                'rss_before_mb': rss_before,
                'rss_peak_mb': peak_rss_mb(pid)}
    finally:
        client.node.destroy_subscription(sub)


def summary(samples) -> dict:
    return {'p50_ms': statistics.median(samples), 'p99_ms': percentile(samples, 0.99),
            'n': len(samples)}


def run_all(texts, rounds: int, flood: int, log=print, flood_s: float = 10.0) -> dict:
    """Run every measurement; return the report dict."""
    py = sys.executable
    tfd = [str(BIN / 'tfd_node'), '--ros-args']
    no_econ = [*tfd, '-p', 'require_econ_approval:=false']
    sample = texts[:rounds]
    report = {}
    client = Client()
    try:
        baselines = [[py, '-m', 'tfd_ros.bench.baseline', kind]
                     for kind in ('echo', 'echo-like-tfd')]
        with processes(*baselines, no_econ) as procs:
            like = f'{LIKE_NAMESPACE}/bench'
            base_topic, like_topic, topic = (summary(s) for s in topic_round_trips(
                client, [('bench_in', 'bench_out'), (f'{like}_in', f'{like}_out'),
                         ('instruction', 'instruction_outcome')], sample))
            log(f'bare rclpy echo:          p50 {base_topic["p50_ms"]:.3f} ms  '
                f'p99 {base_topic["p99_ms"]:.3f} ms')
            log(f'echo, tfd_node entities:  p50 {like_topic["p50_ms"]:.3f} ms  '
                f'p99 {like_topic["p99_ms"]:.3f} ms')
            log(f'tfd topic (no econ):      p50 {topic["p50_ms"]:.3f} ms  '
                f'p99 {topic["p99_ms"]:.3f} ms')
            flood_result = throughput(client, flood, texts)
            log(f'throughput (no econ):     {flood_result["throughput_per_s"]:.0f} /s, '
                f'lost {flood_result["lost"]} of {flood}')
            over = flood_over(client, FLOOD_FACTOR * flood_result['throughput_per_s'],
                              flood_s, procs[-1].pid)
            log(f'flood at {FLOOD_FACTOR:g}x for {flood_s:g} s: asked '
                f'{over["rate_per_s"]:.0f} /s, sent {over["send_rate_per_s"]:.0f} /s; '
                f'accepted {over["accepted"]}, shed '
                f'{over["shed"]}, lost {over["lost"]} of {over["sent"]}; RSS '
                f'{over["rss_before_mb"]:.0f} -> peak {over["rss_peak_mb"]:.0f} MB')
            rss_tfd = peak_rss_mb(procs[-1].pid)
        with tempfile.TemporaryDirectory() as work:
            econ = [str(BIN / 'econ_controller'), '--ros-args', '-p',
                    f'ledger_path:={Path(work) / "bench.sqlite3"}']
            with processes(econ, tfd) as procs:
                [econ_samples] = topic_round_trips(
                    client, [('instruction', 'instruction_outcome')], sample)
                topic_econ = summary(econ_samples)
                log(f'tfd topic (econ approval): p50 {topic_econ["p50_ms"]:.3f} ms  '
                    f'p99 {topic_econ["p99_ms"]:.3f} ms')
                rss_econ = peak_rss_mb(procs[0].pid)
        with processes([py, '-m', 'tfd_ros.bench.baseline', 'action']):
            base_action = summary(action_round_trips(client, 'bench_instruct', sample))
        log(f'bare rclpy action:        p50 {base_action["p50_ms"]:.3f} ms  '
            f'p99 {base_action["p99_ms"]:.3f} ms')
        with processes(no_econ):
            action = summary(action_round_trips(client, 'instruct', sample))
        log(f'tfd action (no econ):     p50 {action["p50_ms"]:.3f} ms  '
            f'p99 {action["p99_ms"]:.3f} ms')
    finally:
        client.close()
    report.update({
        'baseline_topic': base_topic, 'topic': topic, 'topic_econ': topic_econ,
        'baseline_action': base_action, 'action': action, 'throughput': flood_result,
        'topic_p50_ratio': topic['p50_ms'] / base_topic['p50_ms'],
        'topic_p99_ratio': topic['p99_ms'] / base_topic['p99_ms'],
        'baseline_topic_like_tfd': like_topic,
        'topic_p50_ratio_like_tfd': topic['p50_ms'] / like_topic['p50_ms'],
        'topic_econ_p50_ratio': topic_econ['p50_ms'] / base_topic['p50_ms'],
        'action_p50_ratio': action['p50_ms'] / base_action['p50_ms'],
        'action_p99_ratio': action['p99_ms'] / base_action['p99_ms'],
        'throughput_per_s': flood_result['throughput_per_s'], 'lost': flood_result['lost'],
        'overload': over, 'overload_lost': over['lost'],
        'rss_mb': {'tfd_node': rss_tfd, 'econ_controller': rss_econ},
    })
    return report
