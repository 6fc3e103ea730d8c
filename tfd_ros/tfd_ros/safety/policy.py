"""``SafetyPolicy``: the sovereign check every instruction passes after any compiler.

Rules and word classes come from ``config/safety.yaml``; nothing here calls a
model. A policy is immutable once loaded, and its level can only be raised.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, Union

from tfd_ros.payload import TextOpPayload
from tfd_ros.safety.frames import (
    CONJUNCTION,
    NEGATION,
    PREP,
    PRONOUN,
    SKIP,
    frames_of_rows,
    units_from_tags,
)
from tfd_ros.safety.lexicon import CompiledLexicon
from tfd_ros.safety.normalize import tokenize
from tfd_ros.safety.rules import (
    ANY_CLASS,
    LEVEL_ORDER,
    LexiconClass,
    RulesError,
    SafetyRules,
    load_rules,
)

POLICY_ERROR = 'policy_error'
_TARGET_KEYS = ('target', 'object', 'item', 'objects')
_DEST_KEYS = ('destination', 'recipient', 'location', 'to', 'person')
_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Violation:
    """One fired rule: which, of what kind, and the words that fired it."""

    rule_id: str
    category: str
    evidence: str
    span: Optional[tuple]
    source: Literal['text', 'payload'] = 'text'

    def reason(self) -> str:
        """Human-readable one-line reason."""
        where = f' at {self.span[0]}-{self.span[1]}' if self.span else ''
        return f'{self.category}: rule {self.rule_id} ({self.source}{where}: "{self.evidence}")'


@dataclass(frozen=True)
class SafetyVerdict:
    """The outcome of a check: allowed, or the violations that forbid it."""

    allowed: bool
    violations: list = field(default_factory=list)

    def reasons(self) -> list:
        """One human-readable line per violation."""
        return [v.reason() for v in self.violations]

    @property
    def categories(self) -> list:
        """Categories of the violations, in rule order, without repeats."""
        return list(dict.fromkeys(v.category for v in self.violations))


def _grammar_lexicon(rules: SafetyRules) -> dict:
    """Lexicon plus pseudo-classes for the grammar words."""
    lexicon = dict(rules.lexicon)
    grammar = rules.grammar
    preps = {}
    for word, role in grammar.prepositions.items():
        preps.setdefault(role, []).append(word)
    for role, words in preps.items():
        lexicon[PREP + role] = LexiconClass(terms=tuple(words))
    lexicon[PRONOUN] = LexiconClass(terms=grammar.pronouns or ('it',))
    lexicon[NEGATION] = LexiconClass(terms=grammar.negations or ('not',))
    lexicon[CONJUNCTION] = LexiconClass(terms=grammar.conjunctions or ('and',))
    lexicon[SKIP] = LexiconClass(terms=grammar.skip_before_verb or ('then',))
    return lexicon


class SafetyPolicy:
    """Checks raw text and compiled payloads against the rules of one level."""

    __slots__ = ('_rules', '_level', '_lexicon', '_active', '_needs', '_grammar', '_cache',
                 '_prefilter', '_payload_rules', '_frozen')

    def __init__(self, rules: SafetyRules, level: str = 'strict'):
        if level not in LEVEL_ORDER:
            raise RulesError('safety_filter', f'unknown level {level!r} (strict|standard)')
        lexicon = CompiledLexicon(_grammar_lexicon(rules))
        grammar = {
            'separable': tuple((frozenset(s.verbs), s.particle, s.adds)
                               for s in rules.grammar.separable),
            'negation_window': rules.grammar.negation_window,
            'result_conjunctions': frozenset(rules.grammar.result_conjunctions),
            'causatives': frozenset(rules.grammar.causatives),
        }
        active = tuple(r for r in rules.rules if level in r.levels)
        # Classes a separable particle can add to a verb ("turn ... off") exist without a
        # word of their own; every other class a rule needs must be in the sentence.
        implied = frozenset(cls for s in grammar['separable'] for cls in (s[2],))
        needs = tuple(_needed_classes(rule, implied) for rule in active)
        text_ids = tuple(i for i, rule in enumerate(active) if rule.payload is None)
        keys = tuple(needs[i] + _near_classes(rule, implied) for i, rule in enumerate(active))
        prefilter = (needs, text_ids) + _trigger_index(keys, text_ids, lexicon)
        payload_rules = tuple(_payload_plan(rule) for rule in active if rule.payload is not None)
        object.__setattr__(self, '_rules', rules)
        object.__setattr__(self, '_level', level)
        object.__setattr__(self, '_lexicon', lexicon)
        object.__setattr__(self, '_grammar', grammar)
        object.__setattr__(self, '_active', active)
        object.__setattr__(self, '_needs', needs)
        object.__setattr__(self, '_cache', {})
        object.__setattr__(self, '_prefilter', prefilter)
        object.__setattr__(self, '_payload_rules', payload_rules)
        object.__setattr__(self, '_frozen', True)

    def __setattr__(self, name, value):
        raise AttributeError('a SafetyPolicy is immutable; load a new one to change it')

    def __delattr__(self, name):
        raise AttributeError('a SafetyPolicy is immutable')

    @classmethod
    def from_file(cls, path: Union[str, Path, None] = None,
                  level: str = 'strict') -> 'SafetyPolicy':
        """Load the rules file (default: the packaged ``config/safety.yaml``)."""
        return cls(load_rules(path), level)

    @property
    def level(self) -> str:
        """The level this policy enforces (``strict`` or ``standard``)."""
        return self._level

    @property
    def rule_ids(self) -> tuple:
        """Ids of the rules active at this level, in file order."""
        return tuple(r.id for r in self._active)

    @property
    def rules(self) -> SafetyRules:
        """The validated (frozen) rules file."""
        return self._rules

    def with_level(self, level: str) -> 'SafetyPolicy':
        """Return a policy at ``level``; only equal or stricter levels are allowed."""
        if level not in LEVEL_ORDER:
            raise ValueError(f'unknown safety level {level!r}')
        if LEVEL_ORDER[level] < LEVEL_ORDER[self._level]:
            raise PermissionError(
                f'the safety level cannot be relaxed from {self._level} to {level}')
        if level == self._level:
            return self
        return SafetyPolicy(self._rules, level)

    # -- checking -----------------------------------------------------------------------

    def check(self, text: str, payload: Optional[TextOpPayload] = None) -> SafetyVerdict:
        """Check raw text (and the compiled payload, when given); never raises."""
        try:
            violations = self._check_text(text if isinstance(text, str) else str(text))
            if payload is not None:
                if payload.raw_text and payload.raw_text != text:
                    seen = {v.rule_id for v in violations}
                    violations += [v for v in self._check_text(payload.raw_text)
                                   if v.rule_id not in seen]
                seen = {v.rule_id for v in violations}
                violations += [v for v in self._check_payload(text, payload)
                               if v.rule_id not in seen]
        except Exception as exc:  # fail closed: an order the policy cannot read is refused
            violations = [Violation('safety_check_failed', POLICY_ERROR,
                                    f'{type(exc).__name__}: {exc}', None, 'text')]
        return SafetyVerdict(allowed=not violations, violations=violations)

    def _check_text(self, text: str) -> list:
        lexicon = self._lexicon
        rows = tokenize(text, lexicon.vocabulary)
        if not rows:
            return []
        words = [row[0] for row in rows]
        tags = lexicon.tag(words)
        present = set()
        for tag in tags:
            present.update(tag[2])
        candidates = self._candidates(present, tags)
        if not candidates:
            return []  # no rule can fire: clauses and roles are not needed
        units = units_from_tags(words, tags)
        frames = frames_of_rows(units, rows, lexicon, self._grammar)
        sentence = _sentence_role(units, frames, lexicon.kinds)
        positions = None
        violations = []
        active = self._active
        for i in candidates:
            rule = active[i]
            if rule.scope == 'sentence':
                if rule.near and positions is None:
                    positions = _positions(units, lexicon.kinds)
                hit = self._match_sentence(rule, sentence, positions)
            else:
                hit = None
                for frame in frames:
                    hit = self._match_frame(rule, frame, sentence)
                    if hit:
                        break
            if hit:
                span = (rows[hit[0]][1], rows[hit[1]][2])
                violations.append(Violation(rule.id, rule.category, text[span[0]:span[1]],
                                            span, 'text'))
        return violations

    def _candidates(self, present: set, tags) -> list:
        """Return the indices, in rule order, of text rules with each needed class present."""
        needs = self._needs
        source, text_ids, triggers, always = self._prefilter
        if needs is source:
            ids = set(always)
            for tag in tags:
                ids.update(triggers[tag[2]])
            ids = sorted(ids)
        else:  # ``_needs`` was replaced (tests compare verdicts with and without it)
            ids = text_ids
        isdisjoint = present.isdisjoint
        return [i for i in ids if not any(isdisjoint(n) for n in needs[i])]

    @staticmethod
    def _find(role: dict, classes) -> Optional[tuple]:
        if ANY_CLASS in classes and role:
            return next(iter(role.values()))
        for cls in classes:
            span = role.get(cls)
            if span is not None:
                return span
        return None

    def _match_frame(self, rule, frame, sentence) -> Optional[tuple]:
        if frame.negated and not rule.allow_negated:
            return None
        spans = []
        if rule.verb:
            span = self._find(frame.roles.get('verb', {}), rule.verb)
            if span is None:
                return None
            spans.append(span)
        for role, classes in rule.require.items():
            data = sentence if role == 'sentence' else frame.role(role)
            span = self._find(data, classes)
            if span is None:
                return None
            if role != 'sentence':
                spans.append(span)
        for role, classes in rule.exclude.items():
            data = sentence if role == 'sentence' else frame.role(role)
            if self._find(data, classes) is not None:
                return None
        if rule.near:
            positions = {}
            for unit in frame.units:
                for cls in unit.classes:
                    positions.setdefault(cls, []).append((unit.start, unit.end - 1))
            span = self._near(rule.near, positions)
            if span is None:
                return None
            spans.append(span)
        if not spans:
            spans.append((frame.start, frame.end - 1))
        return (min(s[0] for s in spans), max(s[1] for s in spans))

    def _match_sentence(self, rule, sentence, positions) -> Optional[tuple]:
        spans = []
        for role, classes in rule.require.items():
            span = self._find(sentence, classes)
            if span is None:
                return None
            spans.append(span)
        for role, classes in rule.exclude.items():
            if self._find(sentence, classes) is not None:
                return None
        if rule.near:
            span = self._near(rule.near, positions)
            if span is None:
                return None
            spans.append(span)
        if not spans:
            return None
        return (min(s[0] for s in spans), max(s[1] for s in spans))

    @staticmethod
    def _near(near, positions) -> Optional[tuple]:
        firsts = [p for cls in near.first for p in positions.get(cls, ())]
        thens = [p for cls in near.then for p in positions.get(cls, ())]
        for a in firsts:
            for b in thens:
                if b[0] > a[1] and b[0] - a[1] - 1 <= near.within:
                    return (a[0], b[1])
                if not near.ordered and a[0] > b[1] and a[0] - b[1] - 1 <= near.within:
                    return (b[0], a[1])
        return None

    # -- payload ------------------------------------------------------------------------

    def _classes(self, value: str) -> frozenset:
        cached = self._cache.get(value)
        if cached is None:
            # A slot value is a noun phrase: its head (the last tagged phrase) decides, so
            # "microwave oven table" is a table and "glass of water" is water.
            lexicon = self._lexicon
            rows = tokenize(value if isinstance(value, str) else str(value), lexicon.vocabulary)
            kinds = lexicon.kinds
            tags = [m for m in lexicon.tag([row[0] for row in rows]) if kinds[m[2]][2]]
            cached = tags[-1][2] if tags else frozenset()
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[value] = cached
        return cached

    def _check_payload(self, text: str, payload: TextOpPayload) -> list:
        parts = [_payload_part(payload.intent, payload.parameters)]
        parts += [_payload_part(step.intent, step.parameters) for step in payload.steps]
        speed = payload.semantic_overrides.speed
        violations = []
        for rule, cond_speed, intents, fields in self._payload_rules:
            if cond_speed is not None and cond_speed != speed:
                continue
            for intent, slots in parts:
                if intents and intent not in intents:
                    continue
                evidence = self._payload_match(fields, intent, slots)
                if evidence is not None:
                    low = text.lower().find(evidence.lower()) if evidence else -1
                    span = (low, low + len(evidence)) if low >= 0 and evidence else None
                    violations.append(Violation(rule.id, rule.category, evidence, span,
                                                'payload'))
                    break
        return violations

    def _payload_match(self, fields, intent, slots) -> Optional[str]:
        found = []
        cached = self._cache.get
        for slot, any_class, classes in fields:
            for value in slots[slot]:
                if (any_class and value) or not classes.isdisjoint(
                        cached(value) or self._classes(value)):
                    found.append(value)
                    break
            else:
                return None
        return ', '.join(found) if found else (intent or '')


def _payload_part(intent, params: dict) -> tuple:
    """``(intent, slots)`` of a payload or step; slots: target, destination and all values."""
    return (intent, ([params[k] for k in _TARGET_KEYS if k in params],
                     [params[k] for k in _DEST_KEYS if k in params], list(params.values())))


def _sentence_role(units, frames, kinds) -> dict:
    """Build the ``sentence`` role: each class in the sentence with its first span."""
    sentence = {}
    for unit in units:
        if unit.classes:
            span = (unit.start, unit.end - 1)
            for cls in kinds[unit.classes][2]:
                sentence.setdefault(cls, span)
    for frame in frames:
        # a separable particle ("turn it on") gives the sentence a class no word carries
        for cls, span in frame.roles.get('verb', {}).items():
            sentence.setdefault(cls, span)
    return sentence


def _positions(units, kinds) -> dict:
    """Every span of each class in the sentence, for ``near`` conditions."""
    positions = {}
    for unit in units:
        if unit.classes:
            span = (unit.start, unit.end - 1)
            for cls in kinds[unit.classes][2]:
                positions.setdefault(cls, []).append(span)
    return positions


def _payload_plan(rule) -> tuple:
    """``(rule, speed, intents, fields)`` with each field as ``(slot, any_class, classes)``.

    ``speed`` and ``intents`` are the payload condition's (``intents`` as a frozenset).

    ``slot`` indexes the slots of ``_payload_part``: 0 target, 1 destination, 2 any.
    """
    fields = []
    for fname, classes in rule.payload.fields.items():
        slot = {'target': 0, 'destination': 1}.get(fname, 2)
        fields.append((slot, ANY_CLASS in classes, frozenset(classes)))
    cond = rule.payload
    return (rule, cond.speed, frozenset(cond.intents or ()), tuple(fields))


def _trigger_index(keys, text_ids, lexicon) -> tuple:
    """``(triggers, always)``: class set -> text rules it may fire, and rules without keys.

    ``keys[i]`` are class sets of which a sentence must contain one each for rule ``i``
    to fire. Each rule is filed under the classes of one of them, the one whose classes
    tag the fewest lexicon phrases, so that few rules come up for a sentence.
    """
    tagged = {}
    for classes in lexicon.index.values():
        for cls in classes:
            tagged[cls] = tagged.get(cls, 0) + 1
    by_class = {}
    always = []
    for i in text_ids:
        if not keys[i]:
            always.append(i)
            continue
        group = min(keys[i], key=lambda g: sum(tagged.get(c, 0) for c in g))
        for cls in group:
            by_class.setdefault(cls, set()).add(i)
    return (_Triggers(by_class, lexicon.kinds), tuple(always))


class _Triggers(dict):
    """Class set (as tagged) -> the text rules that one of its classes files."""

    __slots__ = ('_by_class',)

    def __init__(self, by_class: dict, class_sets):
        self._by_class = by_class
        super().__init__((classes, self.__missing__(classes)) for classes in class_sets)

    def __missing__(self, classes):
        return tuple(sorted({i for cls in classes for i in self._by_class.get(cls, ())}))


def _near_classes(rule, implied: frozenset) -> tuple:
    """Class sets a ``near`` condition needs in the sentence (a ``_needed_classes`` peer)."""
    if rule.near is None:
        return ()
    groups = (rule.near.first, rule.near.then)
    return tuple(frozenset(g) for g in groups
                 if g and ANY_CLASS not in g and frozenset(g).isdisjoint(implied))


def _needed_classes(rule, implied: frozenset) -> tuple:
    """Class sets of which a text must contain one each for ``rule`` to fire (a pre-filter)."""
    groups = [rule.verb] if rule.verb else []
    groups += list(rule.require.values())
    return tuple(frozenset(g) for g in groups
                 if g and ANY_CLASS not in g and frozenset(g).isdisjoint(implied))
