"""
The ``llm`` compiler: Gemini (``google-genai``) with structured output, and its fallbacks.

Every answer is validated by the pydantic answer model generated from the ontology
(``tfd_ros.compiler.llm_schema``). An unknown intent, a missing or extra field, an empty or
blocked response, malformed JSON, a timeout, a transport or HTTP error, an open circuit breaker
or a missing API key all give the heuristic result instead, with ``compiler`` left at what
produced it and a note ``llm fallback: <reason>``. ``compile`` never raises.

The LLM can never weaken safety: it cannot set risk, speed, priority or constraints directly
(they are derived from ontology effects), caution found by the heuristic is kept, a ``stop``
found by the heuristic is never sent to the LLM, and the safety policy runs after every
compiler on the raw text.
"""

import json
import logging
import os
import random
import time
from typing import Any, Callable, Optional

from pydantic import ValidationError

from tfd_ros.compiler.breaker import CircuitBreaker
from tfd_ros.compiler.llm_schema import (
    answer_model,
    response_schema,
    system_instruction,
    user_content,
)
from tfd_ros.compiler.morphology import singular
from tfd_ros.compiler.slots import slug
from tfd_ros.condition_vector import objective_weights
from tfd_ros.config import TFDConfig
from tfd_ros.ontology import Ontology
from tfd_ros.payload import Curriculum, EconBid, SemanticOverrides, Step, TextOpPayload

LOG = logging.getLogger(__name__)

KEY_VARIABLES = ('GEMINI_API_KEY', 'GOOGLE_API_KEY')
BASE_URL_VARIABLE = 'TFD_GEMINI_BASE_URL'
API_VERSION = 'v1beta'
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
ACCEPTED_FINISH = frozenset({'STOP', 'FINISH_REASON_UNSPECIFIED'})
FALLBACK_PREFIX = 'llm fallback: '
# Same constraint as the heuristic adds for a slow, precise manner.
CAREFUL_SPEED_CONSTRAINT = 'max_speed=0.3'
NO_KEY_REASON = 'llm unavailable: no API key (set GEMINI_API_KEY or GOOGLE_API_KEY)'

_RISK_ORDER = {'low': 0, 'medium': 1, 'high': 2}
_PRIORITY_ORDER = {'low': 0, 'medium': 1, 'high': 2, 'critical': 3}


class LlmFailure(Exception):
    """Why an LLM request gave no usable answer; ``service`` marks failures of the service."""

    def __init__(self, reason: str, service: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.service = service


def api_key_from_env(environ=None) -> Optional[str]:
    """Return the API key from ``GEMINI_API_KEY``, else ``GOOGLE_API_KEY``, else ``None``."""
    environ = os.environ if environ is None else environ
    for name in KEY_VARIABLES:
        value = (environ.get(name) or '').strip()
        if value:
            return value
    return None


def _exception_classes(names):
    classes = []
    for module_name in ('httpx', 'httpx2'):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        classes.extend(getattr(module, n) for n in names if hasattr(module, n))
    return tuple(classes)


_TIMEOUT_ERRORS = _exception_classes(('TimeoutException',)) + (TimeoutError,)
_CONNECT_ERRORS = _exception_classes(('ConnectError',)) + (ConnectionError,)


class GeminiClient:
    """One ``generateContent`` call with structured output, timeout and bounded retries."""

    def __init__(self, client, model: str, ontology: Ontology, *, timeout_s: float,
                 max_retries: int, backoff_s: float = 0.5, backoff_max_s: float = 4.0,
                 secret: Optional[str] = None, sleep: Callable[[float], None] = time.sleep):
        from google.genai import types

        self._client = client
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self._sleep = sleep
        self._secret = secret
        self.answer_model = answer_model(ontology)
        self.schema = response_schema(self.answer_model)
        self.intents = frozenset(ontology.intents)
        self._config = types.GenerateContentConfig(
            system_instruction=system_instruction(ontology),
            temperature=0.0,
            candidate_count=1,
            response_mime_type='application/json',
            response_json_schema=self.schema,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            http_options=types.HttpOptions(timeout=max(1, int(round(timeout_s * 1000)))),
        )

    def __repr__(self) -> str:
        return (f'GeminiClient(model={self.model!r}, timeout_s={self.timeout_s}, '
                f'max_retries={self.max_retries})')

    def scrub(self, message: str) -> str:
        """Remove the API key from a message (it must never reach a note or a log)."""
        if self._secret:
            message = message.replace(self._secret, '***')
        return message

    def ask(self, text: str):
        """Return the validated answer for ``text``; raise ``LlmFailure`` otherwise."""
        response = self._generate(user_content(text))
        return self._validated(self._answer_text(response))

    def _generate(self, contents: str):
        from google.genai import errors

        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._client.models.generate_content(
                    model=self.model, contents=contents, config=self._config)
            except errors.APIError as exc:
                status = f'http {exc.code}' + (f' ({exc.status})' if exc.status else '')
                if exc.code in RETRYABLE_STATUS and attempt < attempts:
                    self._backoff(attempt)
                    continue
                raise LlmFailure(f'{status} after {attempt} attempt(s)', service=True) from None
            except _TIMEOUT_ERRORS:
                raise LlmFailure(f'timeout after {self.timeout_s:g} s', service=True) from None
            except _CONNECT_ERRORS as exc:
                if attempt < attempts:
                    self._backoff(attempt)
                    continue
                raise LlmFailure(f'transport error ({type(exc).__name__}) after {attempt} '
                                 'attempt(s)', service=True) from None
            except Exception as exc:  # noqa: B902 - any client failure is a fallback, not a crash
                raise LlmFailure(f'transport error ({type(exc).__name__})',
                                 service=True) from None
        raise LlmFailure('no attempt made', service=True)  # unreachable: attempts >= 1

    def _backoff(self, attempt: int) -> None:
        delay = min(self.backoff_max_s, self.backoff_s * (2 ** (attempt - 1)))
        self._sleep(delay * (0.5 + random.random() / 2.0))

    @staticmethod
    def _answer_text(response) -> str:
        feedback = getattr(response, 'prompt_feedback', None)
        block = getattr(feedback, 'block_reason', None) if feedback is not None else None
        if block:
            raise LlmFailure(f'prompt blocked ({_enum_name(block)})')
        candidates = getattr(response, 'candidates', None) or []
        if not candidates:
            raise LlmFailure('empty response (no candidates)')
        candidate = candidates[0]
        finish = _enum_name(candidate.finish_reason) if candidate.finish_reason else None
        if finish is not None and finish not in ACCEPTED_FINISH:
            raise LlmFailure(f'response blocked or cut (finish_reason {finish})')
        parts = getattr(candidate.content, 'parts', None) or []
        text = ''.join(p.text for p in parts if p.text and not p.thought)
        if not text.strip():
            raise LlmFailure('empty response (no text)')
        return text

    def _validated(self, text: str):
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise LlmFailure(f'malformed JSON ({_first_line(exc)})') from None
        if not isinstance(data, dict):
            raise LlmFailure(f'malformed answer (JSON {type(data).__name__}, not an object)')
        intent = data.get('intent')
        if intent is not None and intent not in self.intents:
            raise LlmFailure(f'unknown intent {str(intent)[:40]!r}')
        try:
            answer = self.answer_model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = '.'.join(str(p) for p in err['loc']) or '<root>'
            raise LlmFailure(f'invalid answer ({where}: {err["msg"]})') from None
        if answer.intent is None:
            raise LlmFailure('not understood by the llm')
        return answer


def _enum_name(value: Any) -> str:
    return str(getattr(value, 'value', value))


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__


def _reject_constant(token: str):
    raise ValueError(f'non-standard JSON token {token}')


# ------------------------------------------------------------------------------------------
# Answer -> payload
# ------------------------------------------------------------------------------------------
def _phrase(value: Optional[str], ontology: Ontology) -> Optional[str]:
    """Lower-case a slot value, squeeze spaces and drop leading determiners."""
    if not value:
        return None
    words = value.lower().replace('_', ' ').split()
    determiners = set(ontology.determiners)
    while words and words[0] in determiners:
        words.pop(0)
    cleaned = ' '.join(words).strip(' .,;:!?"\'')
    return cleaned or None


def _task(intent: str, params: dict, ontology: Ontology) -> str:
    spec = ontology.intents[intent]
    value = params.get(spec.target_slot) or params.get('target') or params.get('destination')
    return f'{spec.task_prefix}_{slug(value)}' if value else spec.task_prefix


def _manner(groups) -> tuple:
    """Return ``(risk, speed, precision, priority or None)`` of the chosen modifier groups."""
    risk, speed, precision = 'medium', 'normal', False
    # The most cautious group is applied last so that it wins a conflict.
    for group in sorted(groups, key=lambda g: -_RISK_ORDER[g.effects.risk_level or 'medium']):
        risk = group.effects.risk_level or risk
        speed = group.effects.speed or speed
        precision = precision or bool(group.effects.precision_mode)
    asked = [g.effects.priority for g in groups if g.effects.priority]
    priority = max(asked, key=_PRIORITY_ORDER.__getitem__) if asked else None
    return risk, speed, precision, priority


def answer_to_payload(answer, text: str, ontology: Ontology,
                      config: TFDConfig) -> TextOpPayload:
    """
    Turn a validated LLM answer into a payload, deriving every effect from the ontology.

    Conventions follow the heuristic compiler: task names, constraint grammar, sampler tags,
    and objective weights from ``tfd_ros.condition_vector.objective_weights``.
    """
    intent = answer.intent
    spec = ontology.intents[intent]
    params = {}
    for key in ('target', 'destination', 'person', 'attribute'):
        value = _phrase(getattr(answer, key), ontology)
        if value:
            params[key] = value
    if answer.quantity is not None:
        params['quantity'] = str(answer.quantity)
    for key in ('target_color', 'ignore_color'):
        if getattr(answer, key):
            params[key] = getattr(answer, key)

    groups = [ontology.modifiers[name] for name in dict.fromkeys(answer.modifiers)]
    risk, speed, precision, priority = _manner(groups)
    priority = spec.priority or priority or config.default_priority

    constraints = []
    for obj in answer.careful_with:
        name = _phrase(obj, ontology)
        for template in ontology.scoped_care.constraints if name else ():
            constraints.append(template.replace('{object}', slug(name)))
    if answer.ignore_color:
        constraints.append(f'ignore(color={answer.ignore_color})')
    if speed == 'slow' and precision:
        constraints.append(CAREFUL_SPEED_CONSTRAINT)

    phase = spec.curriculum_phase or 'nominal'
    tier, ood, tags = spec.novelty_tier, False, []
    target = params.get('target') or params.get('destination') or ''
    if any(w in ontology.novelty_adjectives for w in target.split()):
        tier = max(tier, 1)
    if answer.learning_frontier:
        phase = 'frontier'
        tier = max(tier, ontology.frontier.novelty_tier)
        ood = ontology.frontier.ood_recovery_mode
    if target and target not in ontology.pronouns:
        tags = list(dict.fromkeys([target, singular(target.split()[-1])]))

    steps = []
    for step in answer.steps:
        step_params = {k: v for k in ('target', 'destination')
                       if (v := _phrase(getattr(step, k), ontology))}
        steps.append(Step(text=step.text, intent=step.intent,
                          target_task=_task(step.intent, step_params, ontology),
                          parameters=step_params))

    unlimited = bool(answer.energy_unlimited)
    return TextOpPayload(
        raw_text=text, intent=intent, target_task=_task(intent, params, ontology),
        parameters=params, constraints=list(dict.fromkeys(constraints)), steps=steps,
        semantic_overrides=SemanticOverrides(risk_level=risk, precision_mode=precision,
                                             speed=speed),
        econ_bid=EconBid(priority=priority, energy_unlimited=unlimited,
                         max_energy_cost=None if unlimited else config.default_max_energy_cost),
        curriculum=Curriculum(phase=phase, novelty_tier=tier, ood_recovery_mode=ood,
                              sampler_tags=tags),
        confidence=answer.confidence, compiler='llm')


def keep_caution(payload: TextOpPayload, heuristic: TextOpPayload) -> TextOpPayload:
    """Return ``payload`` never less cautious than the heuristic's reading of the same text."""
    notes = list(payload.notes)
    overrides = payload.semantic_overrides.model_copy()
    found = heuristic.semantic_overrides
    if found.risk_level == 'low' and overrides.risk_level != 'low':
        overrides.risk_level = found.risk_level
        notes.append('risk_level kept at the heuristic reading (low)')
    if found.speed == 'slow' and overrides.speed != 'slow':
        overrides.speed = 'slow'
        notes.append('speed kept at the heuristic reading (slow)')
    overrides.precision_mode = overrides.precision_mode or found.precision_mode
    constraints = list(payload.constraints)
    for constraint in heuristic.constraints:
        if constraint not in constraints:
            constraints.append(constraint)
    return payload.model_copy(update={'semantic_overrides': overrides,
                                      'constraints': constraints, 'notes': notes})


# ------------------------------------------------------------------------------------------
# Compilers
# ------------------------------------------------------------------------------------------
def _fallback(payload: TextOpPayload, reason: str) -> TextOpPayload:
    return payload.model_copy(update={'notes': list(payload.notes) + [FALLBACK_PREFIX + reason]})


def safe_heuristic(heuristic, text: str) -> TextOpPayload:
    """Run the heuristic compiler; an unexpected error gives an empty, not-understood payload."""
    try:
        return heuristic.compile(text)
    except Exception as exc:  # noqa: B902 - compile() must never raise
        LOG.error('heuristic compiler failed: %s', type(exc).__name__)
        return TextOpPayload(raw_text=str(text), compiler='heuristic',
                             notes=[f'heuristic error ({type(exc).__name__})'])


class LlmCompiler:
    """Ask Gemini for every instruction; fall back to the heuristic result on any failure."""

    name = 'llm'

    def __init__(self, heuristic, ontology: Ontology, config: TFDConfig,
                 client: Optional[GeminiClient] = None,
                 breaker: Optional[CircuitBreaker] = None,
                 unavailable_reason: str = NO_KEY_REASON):
        self.heuristic = heuristic
        self.ontology = ontology
        self.config = config
        self.client = client
        self.breaker = breaker or CircuitBreaker()
        self.unavailable_reason = unavailable_reason
        if client is None:
            LOG.warning('%s; the heuristic compiler answers instead', unavailable_reason)

    @property
    def available(self) -> bool:
        return self.client is not None

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(model={self.config.model!r}, '
                f'available={self.available}, breaker={self.breaker.state!r})')

    def compile(self, text: str) -> TextOpPayload:
        """Compile ``text``; never raises."""
        found = safe_heuristic(self.heuristic, text)
        if found.intent == 'stop':
            return found.model_copy(update={'notes': list(found.notes) + [
                'stop found by the heuristic; not sent to the llm']})
        return self.refine(text, found)

    def refine(self, text: str, found: TextOpPayload) -> TextOpPayload:
        """Ask the LLM about ``text``; on any failure return ``found`` with a fallback note."""
        try:
            return self._refine(text, found)
        except Exception as exc:  # noqa: B902 - compile() must never raise
            reason = f'internal error ({type(exc).__name__})'
            LOG.error('llm compiler: %s', reason)
            return _fallback(found, reason)

    def _refine(self, text: str, found: TextOpPayload) -> TextOpPayload:
        if self.client is None:
            return _fallback(found, self.unavailable_reason)
        if not self.breaker.allow():
            wait = self.breaker.seconds_until_retry()
            return _fallback(found, f'circuit breaker open (retry in {wait:.1f} s)')
        try:
            answer = self.client.ask(text)
        except LlmFailure as failure:
            if failure.service:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            reason = self.client.scrub(failure.reason)
            LOG.info('llm fallback: %s', reason)
            return _fallback(found, reason)
        except Exception:
            self.breaker.record_failure()  # never leave a half-open trial unanswered
            raise
        self.breaker.record_success()
        try:
            payload = answer_to_payload(answer, str(text), self.ontology, self.config)
        except (ValidationError, KeyError, ValueError) as exc:
            return _fallback(found, f'invalid answer ({type(exc).__name__})')
        payload = keep_caution(payload, found)
        payload.objective_weights = objective_weights(payload, self.ontology)
        return payload


def create_llm_compiler(config: TFDConfig, ontology: Ontology, heuristic, *,
                        api_key: Optional[str] = None, base_url: Optional[str] = None,
                        client=None, backoff_s: float = 0.5,
                        breaker: Optional[CircuitBreaker] = None):
    """
    Return the ``llm`` or ``cascade`` compiler named by ``config.compiler``.

    ``api_key`` defaults to ``GEMINI_API_KEY``, then ``GOOGLE_API_KEY``; ``base_url`` to
    ``TFD_GEMINI_BASE_URL`` (else the SDK's endpoint). ``client`` is a ready
    ``google.genai.Client`` and needs no key. Without key or client the compiler logs once
    that the LLM is unavailable and answers with the heuristic.
    """
    from tfd_ros.compiler.cascade import CascadeCompiler

    gemini = None
    if client is None:
        key = (api_key or '').strip() or api_key_from_env()
        if key:
            client = _genai_client(key, base_url or os.environ.get(BASE_URL_VARIABLE) or None)
    else:
        key = None
    if client is not None:
        gemini = GeminiClient(client, config.model, ontology, timeout_s=config.llm_timeout_s,
                              max_retries=config.llm_max_retries, backoff_s=backoff_s,
                              secret=key)
    llm = LlmCompiler(heuristic, ontology, config, client=gemini, breaker=breaker)
    if config.compiler == 'cascade':
        return CascadeCompiler(heuristic, llm, config.cascade_confidence_threshold)
    return llm


def _genai_client(key: str, base_url: Optional[str]):
    from google import genai
    from google.genai import types

    options = types.HttpOptions(base_url=base_url, api_version=API_VERSION)
    return genai.Client(api_key=key, vertexai=False, http_options=options)
