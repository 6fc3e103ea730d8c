"""``tfd_node``: operator text in (topic and action), proposals, vectors and outcomes out.

Callbacks only convert messages, call the pure pipeline (``tfd_ros.pipeline``) and
publish. Both paths to the robot, the ``instruction`` topic and the ``instruct`` action,
go through the same ``_submit``: no gate is skipped by either.

Topic instructions are taken by an intake thread that waits on the ``instruction``
subscription alone (``tfd_ros.subscription_thread``), not by the executor, whose wait over all
the node's entities would cost as much as compiling; the executor serves everything else.

Overload policy: every instruction still gets exactly one outcome. A topic instruction is
compiled at once while the node keeps up; once messages wait in the middleware's queue, the
intake thread takes up to ``DRAIN_MAX`` of them per wake-up and they go through a bounded
queue (``max_queue_length``) to a worker thread, so intake stays fast.
One that finds the queue full, or that would wait in it longer than ``max_queue_delay_s`` at
the measured compile time, is shed at once; one that still waited longer is shed when its turn
comes (stale orders are not compiled); and once ``max_pending`` proposals wait for the
economic controller new instructions are shed too. A shed instruction gets
``REJECTED_OVERLOAD`` with the reason, is counted in the ``diagnostics`` topic
(``outcome_rejected_overload``) and logged at most once a second.

Logging: refusals of every kind are summed up in one log line a second at most (a warning
when instructions were shed), with the latest refusal in full; each instruction's outcome and
reasons are on ``instruction_outcome`` (and in the action result), and one debug line each
(``--ros-args --log-level tfd_node:=debug``).
"""


from collections import Counter
from dataclasses import dataclass, field
import heapq
import threading
import time
from typing import Callable, Optional

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import SetParametersResult
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.task import Future
from std_msgs.msg import String
from tfd_msgs.action import Instruct
from tfd_msgs.msg import (
    ConditionVector,
    EconDecision,
    InstructionOutcome,
    ProposalWithdrawal,
    TaskProposal,
)

from tfd_ros import conversions, qos
from tfd_ros.config import ConfigError, TFDConfig
from tfd_ros.factory import build_pipeline
from tfd_ros.inbox import Inbox
from tfd_ros.outcome import InstructionResult, OutcomeCode
from tfd_ros.parameters import changed_config, declare_and_read
from tfd_ros.pipeline import PendingInstruction
from tfd_ros.proposal import new_proposal_id
from tfd_ros.subscription_thread import OwnThreadGroup, SubscriptionThread

# The files that define what is safe and what text means, and the intake queue's size, are
# fixed for the node's life.
READ_ONLY_PARAMETERS = frozenset({'safety_file', 'ontology_file', 'max_queue_length'})
SAFETY_ORDER = {'standard': 0, 'strict': 1}
EXPIRY_PERIOD_S = 0.02
INLINE_MAX_AGE_NS = 2_000_000  # 2 ms
LOG_PERIOD_S = 1.0
DRAIN_MAX = 256  # instructions taken per wake-up of the intake thread


def _ignore(_result) -> None:
    """Topic-path instructions need nothing back: their outcome is published."""


@dataclass
class _Waiting:
    pending: PendingInstruction
    deadline: float
    on_done: Callable[[InstructionResult], None]
    feedback: Optional[Callable[[str], None]] = None


@dataclass
class _Stats:
    received: int = 0
    pending_peak: int = 0
    outcomes: Counter = field(default_factory=Counter)
    # Refusals since the last log summary, and the latest one in full.
    unlogged: Counter = field(default_factory=Counter)
    latest: str = ''


class TfdNode(Node):
    """The Text-Front-Door node."""

    def __init__(self, node_name: str = 'tfd_node', **kwargs):
        super().__init__(node_name, **kwargs)
        self.config = declare_and_read(self, TFDConfig, READ_ONLY_PARAMETERS)
        self.pipeline = build_pipeline(self.config)
        self._lock = threading.Lock()
        self._waiting: dict[str, _Waiting] = {}
        self._deadlines: list[tuple[float, str]] = []
        self._goal_proposals: dict[bytes, str] = {}
        self._stats = _Stats()
        self._buffers = threading.local()

        self._proposal_pub = self.create_publisher(TaskProposal, 'task_proposal', qos.ECON)
        self._withdrawal_pub = self.create_publisher(ProposalWithdrawal, 'proposal_withdrawal',
                                                     qos.ECON)
        self._vector_pub = self.create_publisher(ConditionVector, 'condition_vector',
                                                 qos.CONDITION_VECTOR)
        self._outcome_pub = self.create_publisher(InstructionOutcome, 'instruction_outcome',
                                                  qos.OUTCOME)
        self._diag_pub = self.create_publisher(DiagnosticArray, 'diagnostics', qos.DIAGNOSTICS)
        # Topic instructions are compiled on a worker thread fed by a bounded queue, so that
        # intake keeps up with any burst and stale orders can be shed (see Overload policy).
        self._inbox = Inbox(self.config.max_queue_length, self._compile_queued,
                            self._shed_stale, lambda: self.config.max_queue_delay_s,
                            name='tfd_instructions')
        # The hot path has a thread and a wait set of its own (see tfd_ros.subscription_thread);
        # it starts once the node is complete, at the end of __init__.
        self._instruction_sub = self.create_subscription(
            String, 'instruction', self._on_instruction, qos.INSTRUCTION,
            callback_group=OwnThreadGroup())
        self.create_subscription(EconDecision, 'econ_decision', self._on_decision, qos.ECON)
        self._action_server = ActionServer(
            self, Instruct, 'instruct', execute_callback=self._execute,
            goal_callback=lambda _goal: GoalResponse.ACCEPT,
            cancel_callback=self._on_cancel, callback_group=ReentrantCallbackGroup())
        self.create_timer(EXPIRY_PERIOD_S, self._expire)
        self.create_timer(1.0, self._publish_diagnostics)
        self.create_timer(LOG_PERIOD_S, self._log_refusals)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._intake_thread = SubscriptionThread(self, self._instruction_sub,
                                                 self._on_instruction, DRAIN_MAX, 'tfd_intake')
        self.get_logger().info(
            f'ready: compiler={self.pipeline.compiler.name} safety={self.config.safety_filter} '
            f'require_econ_approval={self.config.require_econ_approval}')

    # -- the one pipeline, shared by both paths --------------------------------------------

    def _submit(self, text: str, operator_id: str, on_done, feedback=None,
                proposal_id: Optional[str] = None) -> str:
        proposal_id = proposal_id or new_proposal_id()
        operator_id = operator_id or self.config.default_operator_id
        with self._lock:
            overloaded = len(self._waiting) >= self.config.max_pending
            if not overloaded:
                self._stats.received += 1
        if overloaded:
            self._shed(text, f'{self.config.max_pending} instructions already wait for the '
                             'economic controller (max_pending); shed', on_done, proposal_id)
            return proposal_id
        try:
            prepared = self.pipeline.prepare(text, operator_id, proposal_id)
        except Exception as exc:  # fail closed, never an empty result
            self.get_logger().error(f'pipeline error on {proposal_id}: {exc!r}')
            prepared = InstructionResult(
                proposal_id=proposal_id, operator_id=operator_id, raw_text=text,
                outcome=OutcomeCode.INTERNAL_ERROR, reasons=[f'internal error: {exc!r}'])
        if feedback:
            feedback(Instruct.Feedback.STAGE_COMPILED)
            feedback(Instruct.Feedback.STAGE_SAFETY_CHECKED)
        if isinstance(prepared, InstructionResult):
            self._conclude(prepared, on_done)
            return proposal_id
        deadline = time.monotonic() + self.config.econ_timeout_s
        with self._lock:
            self._waiting[proposal_id] = _Waiting(prepared, deadline, on_done, feedback)
            heapq.heappush(self._deadlines, (deadline, proposal_id))
            self._stats.pending_peak = max(self._stats.pending_peak, len(self._waiting))
        self._proposal_pub.publish(conversions.proposal_to_msg(prepared.proposal, self._now()))
        if feedback:
            feedback(Instruct.Feedback.STAGE_AWAITING_ECON_DECISION)
        return proposal_id

    def _conclude(self, result: InstructionResult, on_done) -> None:
        stamp = self._now()
        if conversions.is_bare(result):  # shed or invalid: the cheap fill, its own buffer
            outcome = conversions.fill_bare_outcome(self._outcome_buffer('bare'), result, stamp)
        else:
            outcome = conversions.fill_outcome(self._outcome_buffer('full'), result, stamp)
        # The outcome goes first: it carries the vector too, and the operator waits for it.
        self._outcome_pub.publish(outcome)
        if result.condition_vector is not None:
            self._vector_pub.publish(outcome.condition_vector)
        name = result.outcome.name
        refused = result.outcome != OutcomeCode.ACCEPTED
        line = f'{name} {result.proposal_id}: {"; ".join(result.reasons)}' if refused else ''
        with self._lock:
            self._stats.outcomes[name] += 1
            if refused:
                self._stats.unlogged[name] += 1
                self._stats.latest = line
        if refused:
            self.get_logger().debug(line)  # costs nothing unless debug is enabled
        on_done(result)

    def _outcome_buffer(self, kind: str) -> InstructionOutcome:
        # Reusable outcome messages per thread (executor and worker), one for each kind of
        # fill: building one costs more than filling it, and publish() has serialised it
        # before the next use.
        buffers = getattr(self._buffers, 'outcomes', None)
        if buffers is None:
            buffers = self._buffers.outcomes = {}
        buffer = buffers.get(kind)
        if buffer is None:
            buffer = buffers[kind] = InstructionOutcome()
        return buffer

    def _take(self, proposal_id: str) -> Optional[_Waiting]:
        with self._lock:
            return self._waiting.pop(proposal_id, None)

    # -- callbacks: convert, call the core, publish ----------------------------------------

    def _on_instruction(self, msg: String, info) -> None:
        # Called by the intake thread for each message, a burst at a time (not by the executor).
        self._intake(msg.data, info)

    def _intake(self, text: str, info) -> None:
        # Compile at once while the node keeps up; once messages wait in the middleware's
        # queue (received a while ago), hand them to the worker so intake stays fast.
        received_ns = info.get('received_timestamp', 0) if isinstance(info, dict) else 0
        fresh = bool(received_ns) and time.time_ns() - received_ns < INLINE_MAX_AGE_NS
        refusal = self._inbox.offer(text, inline=fresh)
        if refusal:
            self._shed(text, f'instruction queue: {refusal} (max_queue_length='
                             f'{self.config.max_queue_length}, max_queue_delay_s='
                             f'{self.config.max_queue_delay_s:g}); shed under overload')

    def _compile_queued(self, text: str) -> None:
        self._submit(text, '', on_done=_ignore)

    def _shed_stale(self, text: str, waited_s: float) -> None:
        self._shed(text, f'waited {waited_s:.2f} s in the instruction queue '
                         f'(max_queue_delay_s={self.config.max_queue_delay_s}); '
                         'shed as stale under overload')

    def _shed(self, text: str, reason: str, on_done=None, proposal_id: str = '') -> None:
        with self._lock:
            self._stats.received += 1
        self._conclude(InstructionResult(
            proposal_id=proposal_id or new_proposal_id(),
            operator_id=self.config.default_operator_id, raw_text=text,
            outcome=OutcomeCode.REJECTED_OVERLOAD, reasons=[reason]), on_done or _ignore)

    def _on_decision(self, msg: EconDecision) -> None:
        waiting = self._take(msg.proposal_id)
        if waiting is None:
            return  # late (already timed out), replayed, or another node's proposal
        if waiting.feedback:
            waiting.feedback(Instruct.Feedback.STAGE_ECON_DECIDED)
        self._conclude(self.pipeline.finish(waiting.pending,
                                            conversions.decision_from_msg(msg)),
                       waiting.on_done)

    def _expire(self) -> None:
        now = time.monotonic()
        expired = []
        with self._lock:
            while self._deadlines and self._deadlines[0][0] <= now:
                _, proposal_id = heapq.heappop(self._deadlines)
                waiting = self._waiting.pop(proposal_id, None)
                if waiting is not None:
                    expired.append(waiting)
        for waiting in expired:
            self._withdraw(waiting.pending.proposal, 'no EconDecision within econ_timeout_s')
            self._conclude(self.pipeline.finish(waiting.pending, None), waiting.on_done)

    def _withdraw(self, proposal, reason: str) -> None:
        # The controller may still decide (and charge) a proposal this node gave up on;
        # the withdrawal makes it refund that charge or refuse the proposal when it comes.
        self._withdrawal_pub.publish(ProposalWithdrawal(
            header=conversions.header(self._now()), proposal_id=proposal.proposal_id,
            operator_id=proposal.operator_id, reason=reason))

    async def _execute(self, goal_handle):
        request = goal_handle.request
        done = Future(executor=self.executor)
        goal_id = bytes(goal_handle.goal_id.uuid)

        def feedback(stage):
            goal_handle.publish_feedback(Instruct.Feedback(stage=stage))

        try:
            feedback(Instruct.Feedback.STAGE_RECEIVED)
            proposal_id = new_proposal_id()
            with self._lock:
                self._goal_proposals[goal_id] = proposal_id
            self._submit(request.text, request.operator_id, done.set_result, feedback,
                         proposal_id)
            result = await done
        except Exception as exc:  # fail closed with the reason, never an empty result
            self.get_logger().error(f'action goal failed: {exc!r}')
            result = InstructionResult(proposal_id='', operator_id=request.operator_id,
                                       raw_text=request.text, outcome=OutcomeCode.INTERNAL_ERROR,
                                       reasons=[f'internal error: {exc!r}'])
        finally:
            with self._lock:
                self._goal_proposals.pop(goal_id, None)
        if result.outcome == OutcomeCode.CANCELED and goal_handle.is_cancel_requested:
            goal_handle.canceled()
        elif result.accepted:
            goal_handle.succeed()
        else:
            goal_handle.abort()
        return Instruct.Result(outcome=conversions.result_to_msg(result, self._now()))

    def _on_cancel(self, goal_handle) -> CancelResponse:
        with self._lock:
            proposal_id = self._goal_proposals.get(bytes(goal_handle.goal_id.uuid))
        waiting = self._take(proposal_id) if proposal_id else None
        if waiting is None:
            return CancelResponse.REJECT  # already concluded
        self._withdraw(waiting.pending.proposal, 'canceled by the operator')
        result = self.pipeline.cancel(
            waiting.pending, 'canceled by the operator before the economic decision')
        # Conclude after the cancel is accepted, so the goal is in CANCELING state by then.
        self.executor.create_task(self._conclude, result, waiting.on_done)
        return CancelResponse.ACCEPT

    def _on_set_parameters(self, params) -> SetParametersResult:
        try:
            candidate = changed_config(self.config, params)
        except ConfigError as exc:
            return SetParametersResult(successful=False, reason=str(exc))
        if SAFETY_ORDER[candidate.safety_filter] < SAFETY_ORDER[self.config.safety_filter]:
            return SetParametersResult(
                successful=False,
                reason=f'refused: safety_filter {self.config.safety_filter!r} -> '
                       f'{candidate.safety_filter!r} would relax the safety policy; '
                       'restart the node with the new value to change it')
        try:
            pipeline = build_pipeline(candidate, safety=self.pipeline.safety.with_level(
                candidate.safety_filter))
        except Exception as exc:
            return SetParametersResult(successful=False, reason=f'refused: {exc}')
        self.config, self.pipeline = candidate, pipeline
        return SetParametersResult(successful=True)

    def _log_refusals(self) -> None:
        # One line a second at most: an rclpy log call costs far more than compiling an
        # instruction, and every refusal is already on instruction_outcome with its reasons.
        with self._lock:
            counts, latest = self._stats.unlogged, self._stats.latest
            self._stats.unlogged = Counter()
        if not counts:
            return
        summary = ', '.join(f'{n} {name}' for name, n in sorted(counts.items()))
        line = f'refused in the last {LOG_PERIOD_S:.0f} s: {summary}; latest: {latest}'
        # (rclpy ties a severity to each call site: two sites, two severities)
        if counts.get('REJECTED_OVERLOAD'):
            self.get_logger().warning(line)
        else:
            self.get_logger().info(line)

    def _publish_diagnostics(self) -> None:
        with self._lock:
            values = {'received': self._stats.received, 'pending': len(self._waiting),
                      'queued': len(self._inbox),
                      'pending_peak': self._stats.pending_peak,
                      **{f'outcome_{k.lower()}': v for k, v in self._stats.outcomes.items()}}
        shed = values.get('outcome_rejected_overload', 0)
        status = DiagnosticStatus(
            level=DiagnosticStatus.WARN if shed else DiagnosticStatus.OK,
            name=f'{self.get_fully_qualified_name()}: instructions',
            message=f'{shed} shed under overload' if shed else 'ok',
            hardware_id='tfd_ros',
            values=[KeyValue(key=k, value=str(v)) for k, v in sorted(values.items())])
        self._diag_pub.publish(DiagnosticArray(header=conversions.header(self._now()),
                                               status=[status]))

    def stats(self) -> dict:
        """Return a snapshot of the counters (received, pending, peak, outcomes by name)."""
        with self._lock:
            return {'received': self._stats.received, 'pending': len(self._waiting),
                    'queued': len(self._inbox),
                    'pending_peak': self._stats.pending_peak,
                    'outcomes': dict(self._stats.outcomes)}

    def _now(self) -> Time:
        # The node's clock, read the cheap way while it is the system clock (no sim time):
        # Clock.now().to_msg() builds two objects more and costs more than a header field.
        clock = self.get_clock()
        if clock.ros_time_is_active:
            return clock.now().to_msg()
        sec, nanosec = divmod(time.time_ns(), 1_000_000_000)
        return Time(sec=sec, nanosec=nanosec)

    def destroy_node(self):
        """Stop the intake and worker threads (if start-up got that far), then the node."""
        intake = getattr(self, '_intake_thread', None)
        if intake is not None:
            intake.stop()
        inbox = getattr(self, '_inbox', None)
        if inbox is not None:
            inbox.stop()
        return super().destroy_node()


def main(args=None) -> int:
    """Run ``tfd_node`` until interrupted; exit 2 when a parameter is invalid."""
    from tfd_ros.node_main import run_nodes
    return run_nodes(lambda: [TfdNode()], args)


if __name__ == '__main__':
    raise SystemExit(main())
