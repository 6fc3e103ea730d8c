"""An operator's client of ``tfd_node``: send text on the ``instruct`` action, read the outcome."""

from dataclasses import dataclass, field
import json
import math
import time
from typing import Optional

import rclpy
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from tfd_msgs.action import Instruct
from tfd_msgs.msg import InstructionOutcome

OUTCOME_NAMES = {getattr(InstructionOutcome, name): name for name in (
    'ACCEPTED', 'REJECTED_SAFETY', 'REJECTED_ECON', 'NOT_UNDERSTOOD', 'INTENT_NOT_ALLOWED',
    'ECON_UNAVAILABLE', 'INVALID_INPUT', 'CANCELED', 'REJECTED_OVERLOAD', 'INTERNAL_ERROR')}


SETTLE_S = 0.5


class ClientError(RuntimeError):
    """The node could not be reached or did not answer in time."""


@dataclass
class Reply:
    """The result of one instruction sent over the action."""

    outcome: InstructionOutcome
    status: int
    stages: list = field(default_factory=list)
    latency_s: float = 0.0

    @property
    def accepted(self) -> bool:
        return bool(self.outcome.accepted)


class OperatorClient:
    """An action client with its own ROS context (usable beside other rclpy code)."""

    def __init__(self, namespace: str = '', node_name: str = 'tfd_operator'):
        self._context = Context()
        rclpy.init(context=self._context)
        self._node = rclpy.create_node(node_name, namespace=namespace or None,
                                       context=self._context)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)
        self._client = ActionClient(self._node, Instruct, 'instruct')
        self._settled = False

    def wait_for_server(self, timeout_s: float) -> bool:
        """Spin until the action server is discovered; return whether it was.

        The server's services show in the graph before the way back (their responses to
        this client) is matched, and a goal sent in between can go unanswered; the first
        time, the client waits a moment longer for discovery to finish both ways.
        """
        if not self._spin_until(self._client.server_is_ready, timeout_s):
            return False
        if not self._settled:
            self._spin_until(lambda: False, SETTLE_S)
            self._settled = True
        return True

    def send(self, text: str, operator_id: str = '', timeout_s: float = 10.0) -> Reply:
        """Send one instruction and wait for its result (``ClientError`` on timeout)."""
        start = time.monotonic()
        if not self.wait_for_server(timeout_s):
            raise ClientError(f'no tfd_node action server "{self._client._action_name}" '
                              f'within {timeout_s} s')
        stages = []
        goal = self._client.send_goal_async(
            Instruct.Goal(text=text, operator_id=operator_id),
            feedback_callback=lambda fb: stages.append(fb.feedback.stage))
        remaining = timeout_s - (time.monotonic() - start)
        if not self._spin_until(goal.done, remaining):
            raise ClientError(f'goal not acknowledged within {timeout_s} s')
        handle = goal.result()
        if not handle.accepted:
            raise ClientError('goal refused by the server')
        result = handle.get_result_async()
        remaining = timeout_s - (time.monotonic() - start)
        if not self._spin_until(result.done, remaining):
            handle.cancel_goal_async()
            raise ClientError(f'no result within {timeout_s} s')
        answer = result.result()
        return Reply(answer.result.outcome, answer.status, stages, time.monotonic() - start)

    def _spin_until(self, predicate, timeout_s: float) -> bool:
        deadline = time.monotonic() + max(timeout_s, 0.0)
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            self._executor.spin_once(timeout_sec=0.02)
        return True

    def close(self) -> None:
        """Destroy the node and shut its context down."""
        self._executor.shutdown()
        self._node.destroy_node()
        rclpy.try_shutdown(context=self._context)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def outcome_dict(outcome: InstructionOutcome) -> dict:
    """Summarise an ``InstructionOutcome`` as a JSON-friendly dict."""
    data = {'proposal_id': outcome.proposal_id,
            'outcome': OUTCOME_NAMES.get(outcome.outcome, str(outcome.outcome)),
            'accepted': bool(outcome.accepted), 'reasons': list(outcome.reasons),
            'violated_rules': list(outcome.violated_rules)}
    proposal = outcome.proposal
    if proposal.intent:
        data['intent'] = proposal.intent
        data['target_task'] = proposal.target_task
        data['parameters'] = {kv.key: kv.value for kv in proposal.parameters}
        data['constraints'] = list(proposal.constraints)
        steps = json.loads(proposal.payload_json).get('steps', []) if proposal.payload_json else []
        if steps:
            data['steps'] = [{'intent': s['intent'], 'parameters': s.get('parameters', {})}
                             for s in steps]
    if outcome.priced:
        decision = outcome.decision
        data['price'] = decision.price
        data['account_balance'] = decision.account_balance
    if outcome.accepted:
        vector = outcome.condition_vector
        budget = vector.energy_budget_wh
        data['condition_vector'] = {
            'skill_mode': vector.skill_mode, 'instruction_priority': vector.instruction_priority,
            'risk_tolerance': vector.risk_tolerance,
            'energy_budget_wh': None if math.isinf(budget) else budget,
            'curriculum_phase': vector.curriculum_phase, 'novelty_tier': vector.novelty_tier,
            'objective': {n: round(w, 3) for n, w in zip(vector.feature_names,
                                                          vector.objective_vector) if w},
            'sampler_tags': list(vector.sampler_tags)}
    return data


def format_outcome(outcome: InstructionOutcome, text: Optional[str] = None) -> str:
    """Render an outcome for a terminal, one short block."""
    data = outcome_dict(outcome)
    lines = [f'{data["outcome"]}' + (f'  "{text}"' if text else '')]
    if 'intent' in data:
        lines.append(f'  intent: {data["intent"]}  task: {data["target_task"]}  '
                     f'slots: {json.dumps(data["parameters"])}')
        if data['constraints']:
            lines.append(f'  constraints: {", ".join(data["constraints"])}')
        if data.get('steps'):
            lines.append('  steps: ' + ' -> '.join(
                f'{s["intent"]}({s["parameters"].get("target", "")})' for s in data['steps']))
    if 'price' in data:
        lines.append(f'  price: {data["price"]:.2f}  balance: {data["account_balance"]:.2f}')
    for reason in data['reasons']:
        lines.append(f'  reason: {reason}')
    if data['violated_rules']:
        lines.append(f'  rules: {", ".join(data["violated_rules"])}')
    if 'condition_vector' in data:
        cv = data['condition_vector']
        energy = 'unlimited' if cv['energy_budget_wh'] is None else f'{cv["energy_budget_wh"]:g}'
        lines.append(f'  vector: skill={cv["skill_mode"]} '
                     f'priority={cv["instruction_priority"]:.2f}'
                     f' risk_tolerance={cv["risk_tolerance"]:.2f} energy_wh={energy} '
                     f'phase={cv["curriculum_phase"]} novelty={cv["novelty_tier"]}')
        if cv['objective']:
            lines.append(f'  objective: {json.dumps(cv["objective"])}')
        if cv['sampler_tags']:
            lines.append(f'  sampler_tags: {", ".join(cv["sampler_tags"])}')
    return '\n'.join(lines)


def wait_until_priced(namespace: str = '', timeout: float = 30.0) -> None:
    """Send a priced instruction until tfd_node and the economic controller have matched.

    Right after start-up a proposal can be published before the controller's subscription
    is matched; tfd_node then answers ECON_UNAVAILABLE, as it should. Callers that need a
    decision (tests, bag replays) wait for the pair to be connected first.
    """
    deadline = time.monotonic() + timeout
    with OperatorClient(namespace=namespace, node_name='warmup_client') as client:
        while time.monotonic() < deadline:
            outcome = client.send('Wipe the table.', 'warmup', timeout).outcome
            if outcome.outcome != InstructionOutcome.ECON_UNAVAILABLE:
                return
    raise ClientError(f'no economic decision in {namespace or "/"} within {timeout} s')
