"""The ``heuristic`` compiler: deterministic, offline text -> ``TextOpPayload``.

Pipeline: normalise and tokenise (``text``), analyse manner modifiers with negation scope,
scoped care, energy, curriculum and exclusions over the whole text (``modifiers``), split into
clauses and read each clause (``compound``, ``slots``), then assemble the payload. All
vocabulary comes from the ontology file; nothing here names a word.
"""

from typing import Optional

from tfd_ros.compiler.compound import composite_purpose, split_clauses
from tfd_ros.compiler.lexicon import Lexicon
from tfd_ros.compiler.modifiers import analyse, manner_effects
from tfd_ros.compiler.morphology import singular
from tfd_ros.compiler.slots import Clause, target_task
from tfd_ros.compiler.text import CLAUSE_PUNCT, tokens_of
from tfd_ros.condition_vector import objective_weights
from tfd_ros.config import TFDConfig
from tfd_ros.ontology import Ontology, load_ontology
from tfd_ros.payload import Curriculum, EconBid, SemanticOverrides, Step, TextOpPayload, trusted

NOT_UNDERSTOOD = 'not understood'
MOTION_ADJUSTABLE = frozenset({'navigation'})
ADJUST = 'adjust_behavior'


class HeuristicCompiler:
    """Lexicon- and rule-based compiler; never raises on ``str`` input."""

    name = 'heuristic'

    def __init__(self, ontology: Optional[Ontology] = None, config: Optional[TFDConfig] = None):
        self.config = config or TFDConfig()
        self.ontology = ontology or load_ontology(self.config.ontology_file or None)
        self.lex = Lexicon(self.ontology)

    def compile(self, text: str) -> TextOpPayload:
        """Compile ``text``; unmappable text gives intent ``None`` and a reason in ``notes``."""
        raw = text if isinstance(text, str) else str(text)
        try:
            return self._compile(raw)
        except Exception as exc:  # noqa: B902 - the compiler must answer every input
            return self._not_understood(raw[:self.config.max_text_length],
                                        f'{NOT_UNDERSTOOD}: internal error {type(exc).__name__}')

    # ------------------------------------------------------------------------------------
    def _not_understood(self, raw: str, reason: str) -> TextOpPayload:
        return TextOpPayload(
            raw_text=raw, intent=None, confidence=0.0, compiler=self.name,
            econ_bid=EconBid(priority=self.config.default_priority,
                             max_energy_cost=self.config.default_max_energy_cost),
            notes=[reason])

    def _compile(self, raw: str) -> TextOpPayload:
        notes = []
        limit = self.config.max_text_length
        if len(raw) > limit:
            raw = raw[:limit]
            notes.append(f'text truncated to max_text_length={limit}')
        lex = self.lex
        toks = lex.correct(tokens_of(raw))
        if CLAUSE_PUNCT.issuperset(toks):
            return self._not_understood(raw, f'{NOT_UNDERSTOOD}: no words')
        mods = analyse(lex, toks)
        clauses = split_clauses(lex, toks)
        commands = [c for c in clauses if c.intent is not None]
        direct = [c for c in commands if not c.indirect]
        if direct:
            commands = direct
        effects, manner_word, conflict = manner_effects(lex, mods)
        commands = self._absorb_instruments(commands)
        commands = self._adjustments(commands, mods)
        if not commands:
            # A manner word in a remark ("that was fast") asks for nothing.
            remark = bool(clauses) and all(c.statement for c in clauses) \
                and not mods.energy_unlimited
            if (mods.has_manner or mods.energy_unlimited) and not remark:
                adj = Clause(tokens=toks, intent='adjust_behavior', confidence=0.8)
                commands = [adj]
            else:
                reason = 'no command verb from the ontology'
                if any(c.statement for c in clauses):
                    reason = 'a statement, not a command'
                payload = self._not_understood(raw, f'{NOT_UNDERSTOOD}: {reason}')
                payload.notes = notes + payload.notes
                return payload
        first, intent, params = self._purpose(commands, notes)
        if manner_word:
            params.setdefault('modifier', manner_word)
        if mods.ignore_colours:
            params['ignore_color'] = mods.ignore_colours[0]
        if mods.exclude_attributes and 'attribute' not in params:
            params['attribute'] = mods.exclude_attributes[0]
        constraints = []
        for obj in mods.care_objects:
            for template in self.ontology.scoped_care.constraints:
                item = template.replace('{object}', obj)
                if item not in constraints:
                    constraints.append(item)
        for colour in mods.ignore_colours:
            constraints.append(f'ignore(color={colour})')
        for attr in mods.exclude_attributes:
            constraints.append(f'exclude(attribute={attr})')
        # The parts below are built from ontology values the ontology model has validated, so
        # they skip pydantic validation (``trusted``); the snapshot tests pin the result.
        overrides = trusted(SemanticOverrides, {
            'risk_level': effects.get('risk_level', 'medium'),
            'precision_mode': effects.get('precision_mode', False),
            'speed': effects.get('speed', 'normal')})
        if overrides.speed == 'slow' and overrides.precision_mode:
            constraints.append('max_speed=0.3')
        priority = effects.get('priority', self.config.default_priority)
        intent_spec = self.ontology.intents.get(intent)
        if intent_spec is not None and intent_spec.priority:
            priority = intent_spec.priority
        bid = trusted(EconBid, {
            'priority': priority,
            'max_energy_cost': None if mods.energy_unlimited
            else self.config.default_max_energy_cost,
            'energy_unlimited': mods.energy_unlimited})
        curriculum = self._curriculum(intent, first, mods)
        steps = []
        if len(commands) > 1:
            for c in commands:
                steps.append(trusted(Step, {
                    'text': c.text, 'intent': c.intent,
                    'target_task': target_task(lex, c.intent, c.params),
                    'parameters': {k: str(v) for k, v in c.params.items()}}))
        confidence = min(c.confidence for c in commands)
        if conflict:
            confidence -= 0.2
            notes.append('conflicting speed modifiers; the later one wins')
        if len(commands) > 1 and len({c.intent for c in commands}) > 1:
            confidence -= 0.05
        if mods.negated:
            notes.append('negated manner: ' + ', '.join(s for _, s, _ in mods.negated))
        for c in commands:
            notes.extend(c.notes)
        fields = {
            'raw_text': raw,
            'intent': intent,
            'target_task': target_task(lex, intent, params),
            'parameters': {k: str(v) for k, v in params.items()},
            'constraints': constraints,
            'steps': steps,
            'semantic_overrides': overrides,
            'econ_bid': bid,
            'curriculum': curriculum,
            'objective_weights': {},
            'confidence': round(max(0.05, min(1.0, confidence)), 3),
            'compiler': self.name,
            'notes': notes,
        }
        payload = trusted(TextOpPayload, fields)
        # ``fields`` is the payload's ``__dict__``: the weights are read from the payload itself.
        fields['objective_weights'] = objective_weights(payload, self.ontology)
        return payload

    def _purpose(self, commands: list, notes: list) -> tuple:
        """Return ``(main clause, intent, params)`` of the whole instruction.

        A composite rule of the ontology names the purpose of a compound instruction and the
        step whose slots are the task's; otherwise the first step is the task.
        """
        lex = self.lex
        match = composite_purpose(lex, commands)
        if match is not None:
            rule, seq = match
            main = seq[rule.target_from]
            params = dict(main.params)
            for slot, ref in rule.slots.items():
                index, _, source = ref.partition('.')
                value = seq[int(index)].params.get(source)
                if value and value not in lex.pronouns:
                    params.setdefault(slot, value)
            notes.append(f'composite intent: {rule.name}')
            return main, rule.intent, params
        first = commands[0]
        params = dict(first.params)
        # Follow-up steps that refer back ("pick up the cup and put it in the sink").
        for later in commands[1:]:
            if later.intent == first.intent and later.params.get('target') in lex.pronouns:
                for key in ('destination', 'recipient'):
                    if key in later.params and key not in params:
                        params[key] = later.params[key]
        return first, first.intent, params

    def _absorb_instruments(self, commands: list) -> list:
        """Drop "turn on the vacuum" when the next step is the task the vacuum serves."""
        out = []
        for idx, c in enumerate(commands):
            nxt = commands[idx + 1] if idx + 1 < len(commands) else None
            tool = c.params.get('target', '')
            if nxt is not None and c.intent == 'operate_device' \
                    and self.lex.instruments.get(tool) == nxt.intent:
                nxt.params.setdefault('device', tool)
                continue
            out.append(c)
        return out

    def _adjustments(self, commands: list, mods) -> list:
        """Turn a bare motion verb with a manner word ("go fast") into adjust_behavior.

        A negated motion with a manner word ("never go fast near the kids") re-conditions the
        current task whatever place it names. Beside a real task, the adjustment is only the
        manner of that task ("clean the kitchen and hurry"), so it is not a step of its own.
        """
        out = []
        for c in commands:
            if c.intent in MOTION_ADJUSTABLE and c.verb in self.lex.adjustable_motion \
                    and (not c.has_place or c.negated) \
                    and mods.manner_between(c.start, c.start + len(c.tokens)):
                c.intent = ADJUST
                c.params = {}
                c.confidence = 0.8
            out.append(c)
        if any(c.intent != ADJUST for c in out):
            out = [c for c in out if c.intent != ADJUST]
        return out

    def _curriculum(self, intent: str, first: Clause, mods) -> Curriculum:
        spec = self.ontology.intents.get(intent)
        phase = 'nominal'
        tier = 0
        ood = False
        if spec is not None and spec.curriculum_phase:
            phase = spec.curriculum_phase
            tier = spec.novelty_tier
        if first.novelty_words:
            tier = max(tier, 1)
        if mods.frontier:
            phase = 'frontier'
            tier = max(tier, self.ontology.frontier.novelty_tier)
            ood = self.ontology.frontier.ood_recovery_mode
        tags = []
        target = first.params.get('target') or first.params.get('destination') or ''
        if target and target not in self.lex.pronouns:
            head = target.split()[-1]
            for tag in (target, singular(head)):
                if tag not in tags:
                    tags.append(tag)
        return trusted(Curriculum, {'phase': phase, 'novelty_tier': tier,
                                    'ood_recovery_mode': ood, 'sampler_tags': tags})
