"""The ontology file (``config/ontology.yaml``) as validated pydantic models (pure Python).

``load_ontology`` reads the YAML once; a bad file raises ``OntologyError`` whose ``path`` is the
dotted path of the offending key (for example ``verbs.turn.particles.on``).
"""

import math
from pathlib import Path
from typing import Literal, Optional, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
import yaml

from tfd_ros.paths import config_file
from tfd_ros.payload import Priority, RiskLevel, Speed

ONTOLOGY_FILE = 'ontology.yaml'


class OntologyError(ValueError):
    """An invalid ontology file; ``path`` is the dotted path of the bad key."""

    def __init__(self, path: str, message: str):
        super().__init__(f'invalid ontology key {path!r}: {message}')
        self.path = path
        self.message = message


class _Model(BaseModel):
    model_config = ConfigDict(extra='forbid')


def _check_weights(value: dict) -> dict:
    for name, weight in value.items():
        if not (math.isfinite(weight) and -1.0 <= weight <= 1.0):
            raise ValueError(f'weight {name!r}={weight} outside [-1, 1]')
    return value


class IntentSpec(_Model):
    """One intent: the skill it asks for, its default energy and how tasks are named."""

    skill_mode: str = Field(min_length=1)
    energy_wh: float = Field(ge=0.0)
    task_prefix: str = Field(min_length=1)
    target_slot: Literal['target', 'destination'] = 'target'
    instruments: list[str] = Field(default_factory=list)
    curriculum_phase: Optional[Literal['nominal', 'frontier']] = None
    novelty_tier: int = Field(default=0, ge=0, le=2)
    priority: Optional[Priority] = None
    description: str = ''


class VerbSpec(_Model):
    """One verb lemma: its intent, particles and how its object is read."""

    intent: Optional[str] = None
    intransitive: Optional[str] = None
    particles: dict[str, str] = Field(default_factory=dict)
    object_role: Literal['target', 'destination', 'person'] = 'target'
    object_is_place: bool = False
    target_preps: list[str] = Field(default_factory=list)
    object_class_intents: dict[str, str] = Field(default_factory=dict)


class PhraseSpec(_Model):
    """A multi-word verb ("take a photo of") and its intent.

    ``object_intent``: the intent when a direct object follows ("power down" stops the robot,
    "power down the computer" operates a device).
    """

    words: str = Field(min_length=1)
    intent: str
    object_intent: Optional[str] = None


class Prepositions(_Model):
    destination: list[str]
    source: list[str]
    path: list[str]
    other: list[str]


class ModifierEffects(_Model):
    risk_level: Optional[RiskLevel] = None
    precision_mode: Optional[bool] = None
    speed: Optional[Speed] = None
    priority: Optional[Priority] = None


class ModifierGroup(_Model):
    """Manner words of one kind and their effects on payload and objective vector."""

    words: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)
    effects: ModifierEffects = Field(default_factory=ModifierEffects)
    safety_language_modulation: float = Field(default=0.5, ge=0.0, le=1.0)
    objective: dict[str, float] = Field(default_factory=dict)

    _weights = field_validator('objective')(_check_weights)


class Negation(_Model):
    cues: list[str]
    scope: int = Field(ge=1, le=10)
    negated_phrases: list[str] = Field(default_factory=list)
    negated_speed: Speed = 'normal'


class ScopedCare(_Model):
    cues: list[str]
    constraints: list[str]
    objective: dict[str, float] = Field(default_factory=dict)
    safety_language_modulation: float = Field(default=0.7, ge=0.0, le=1.0)

    _weights = field_validator('objective')(_check_weights)

    @field_validator('constraints')
    @classmethod
    def _has_object(cls, value):
        if not any('{object}' in c for c in value):
            raise ValueError('at least one constraint must contain {object}')
        return value


class EnergySpec(_Model):
    nouns: list[str]
    disregard: list[str]
    phrases: list[str] = Field(default_factory=list)
    objective: dict[str, float] = Field(default_factory=dict)

    _weights = field_validator('objective')(_check_weights)


class FrontierSpec(_Model):
    phrases: list[str]
    novelty_tier: int = Field(default=2, ge=0, le=2)
    ood_recovery_mode: bool = True
    objective: dict[str, float] = Field(default_factory=dict)

    _weights = field_validator('objective')(_check_weights)


class ExclusionSpec(_Model):
    cues: list[str]
    scope: int = Field(default=3, ge=1, le=10)
    colour_weight: float = Field(default=-1.0, ge=-1.0, le=1.0)


class ObjectiveSpec(_Model):
    base: dict[str, float] = Field(default_factory=dict)
    target_colour: float = Field(default=1.0, ge=-1.0, le=1.0)
    ignore_colour: float = Field(default=-1.0, ge=-1.0, le=1.0)
    intent_weights: dict[str, dict[str, float]] = Field(default_factory=dict)

    _weights = field_validator('base')(_check_weights)

    @field_validator('intent_weights')
    @classmethod
    def _intent_weights(cls, value):
        for weights in value.values():
            _check_weights(weights)
        return value


# The slots a clause can fill; composite rules may only name these.
Slot = Literal['target', 'destination', 'source', 'recipient', 'location', 'direction',
               'instrument', 'device', 'quantity', 'target_color', 'attribute']


class StepPattern(_Model):
    """One step of a composite pattern: the intents it may have and conditions on its slots.

    ``slot_classes``: slot -> word class its value must belong to. ``absent_slots``: slots that
    must be empty. ``exclude_particles``: verb particles that rule the step out ("turn off").
    ``same_object_as``: index of an earlier pattern step whose object this step handles again
    (its target is a pronoun, omitted, or has the same head noun).
    """

    intents: list[str] = Field(min_length=1)
    verbs: list[str] = Field(default_factory=list)
    slot_classes: dict[Slot, str] = Field(default_factory=dict)
    absent_slots: list[Slot] = Field(default_factory=list)
    exclude_particles: list[str] = Field(default_factory=list)
    same_object_as: Optional[int] = Field(default=None, ge=0)


class CompositeRule(_Model):
    """The purpose of a compound instruction: a pattern of steps -> one top-level intent.

    ``target_from``: the pattern step whose slots become the top-level slots. ``slots``: more
    top-level slots, each ``"<step index>.<slot>"`` of a pattern step (``device: 1.target``).
    """

    name: str = Field(min_length=1)
    steps: list[StepPattern] = Field(min_length=1)
    ordered: bool = True
    intent: str
    target_from: int = Field(default=0, ge=0)
    slots: dict[Slot, str] = Field(default_factory=dict)
    description: str = ''


class CompositeIntents(_Model):
    """Composite rules and the steps that may stand between their pattern steps."""

    transit_intents: list[str] = Field(default_factory=list)
    rules: list[CompositeRule] = Field(default_factory=list)


class Ontology(_Model):
    """The whole ontology file."""

    version: int = Field(ge=1)
    intents: dict[str, IntentSpec]
    idle_skill_mode: str = 'idle'
    verbs: dict[str, VerbSpec]
    phrases: list[PhraseSpec] = Field(default_factory=list)
    irregular_verbs: dict[str, str] = Field(default_factory=dict)
    wrappers: list[str] = Field(default_factory=list)
    request_wrappers: list[str] = Field(default_factory=list)
    request_intent: Optional[str] = None
    instrument_verbs: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list)
    serial_verbs: list[str] = Field(default_factory=list)
    adjustable_motion_verbs: list[str] = Field(default_factory=list)
    light_verbs: list[str] = Field(default_factory=list)
    spelling: dict[str, str] = Field(default_factory=dict)
    subjects: list[str] = Field(default_factory=list)
    finite_markers: list[str] = Field(default_factory=list)
    auxiliaries: list[str] = Field(default_factory=list)
    determiners: list[str] = Field(default_factory=list)
    pronouns: list[str] = Field(default_factory=list)
    persons: list[str] = Field(default_factory=list)
    indirect_objects: list[str] = Field(default_factory=list)
    adjectives: list[str] = Field(default_factory=list)
    attributes: list[str] = Field(default_factory=list)
    colours: dict[str, str] = Field(default_factory=dict)
    numbers: dict[str, int] = Field(default_factory=dict)
    particles: list[str] = Field(default_factory=list)
    directions: list[str] = Field(default_factory=list)
    prepositions: Prepositions
    np_stops: list[str] = Field(default_factory=list)
    complementizers: list[str] = Field(default_factory=list)
    object_classes: dict[str, list[str]] = Field(default_factory=dict)
    word_classes: dict[str, list[str]] = Field(default_factory=dict)
    composite_intents: CompositeIntents = Field(default_factory=CompositeIntents)
    connectives: list[str] = Field(default_factory=list)
    clause_openers: list[str] = Field(default_factory=list)
    modifiers: dict[str, ModifierGroup]
    np_sensitive_modifiers: list[str] = Field(default_factory=list)
    negation: Negation
    scoped_care: ScopedCare
    energy: EnergySpec
    frontier: FrontierSpec
    novelty_adjectives: list[str] = Field(default_factory=list)
    exclusion: ExclusionSpec
    stop_priority: Priority = 'critical'
    objective: ObjectiveSpec = Field(default_factory=ObjectiveSpec)

    def skill_mode(self, intent: Optional[str]) -> str:
        """Return the skill mode of an intent (the idle mode for ``None`` or unknown)."""
        spec = self.intents.get(intent) if intent else None
        return spec.skill_mode if spec else self.idle_skill_mode


def _cross_check(onto: Ontology) -> None:
    """Check references between sections; raise ``OntologyError`` with the dotted path."""
    intents = set(onto.intents)
    for lemma, verb in onto.verbs.items():
        for key in ('intent', 'intransitive'):
            value = getattr(verb, key)
            if value is not None and value not in intents:
                raise OntologyError(f'verbs.{lemma}.{key}', f'unknown intent {value!r}')
        for particle, intent in verb.particles.items():
            if intent not in intents:
                raise OntologyError(f'verbs.{lemma}.particles.{particle}',
                                    f'unknown intent {intent!r}')
        for cls, intent in verb.object_class_intents.items():
            if cls not in onto.object_classes:
                raise OntologyError(f'verbs.{lemma}.object_class_intents.{cls}',
                                    f'unknown object class {cls!r}')
            if intent not in intents:
                raise OntologyError(f'verbs.{lemma}.object_class_intents.{cls}',
                                    f'unknown intent {intent!r}')
    if onto.request_intent is not None and onto.request_intent not in intents:
        raise OntologyError('request_intent', f'unknown intent {onto.request_intent!r}')
    for i, phrase in enumerate(onto.phrases):
        if phrase.intent not in intents:
            raise OntologyError(f'phrases.{i}.intent', f'unknown intent {phrase.intent!r}')
        if phrase.object_intent is not None and phrase.object_intent not in intents:
            raise OntologyError(f'phrases.{i}.object_intent',
                                f'unknown intent {phrase.object_intent!r}')
    for wrong, right in onto.spelling.items():
        if not wrong.strip() or not right.strip():
            raise OntologyError(f'spelling.{wrong}', 'empty misspelling or correction')
    for intent in onto.objective.intent_weights:
        if intent not in intents:
            raise OntologyError(f'objective.intent_weights.{intent}', 'unknown intent')
    for name, group in onto.modifiers.items():
        if not group.words and not group.phrases:
            raise OntologyError(f'modifiers.{name}', 'needs words or phrases')
    for name, words in onto.word_classes.items():
        if not words:
            raise OntologyError(f'word_classes.{name}', 'empty word class')
    _check_composites(onto)


def _check_composites(onto: Ontology) -> None:
    """Check the composite rules' references (intents, verbs, word classes, step indices)."""
    intents = set(onto.intents)
    comp = onto.composite_intents
    transit = set(comp.transit_intents)
    for i, intent in enumerate(comp.transit_intents):
        if intent not in intents:
            raise OntologyError(f'composite_intents.transit_intents.{i}',
                                f'unknown intent {intent!r}')
    for r, rule in enumerate(comp.rules):
        where = f'composite_intents.rules.{r}'
        if rule.intent not in intents:
            raise OntologyError(f'{where}.intent', f'unknown intent {rule.intent!r}')
        n = len(rule.steps)
        if rule.target_from >= n:
            raise OntologyError(f'{where}.target_from', f'no pattern step {rule.target_from}')
        for slot, ref in rule.slots.items():
            index, _, source = ref.partition('.')
            if not index.isdigit() or int(index) >= n or source not in get_args(Slot):
                raise OntologyError(f'{where}.slots.{slot}',
                                    f'expected "<step index < {n}>.<slot>", got {ref!r}')
        for s, step in enumerate(rule.steps):
            at = f'{where}.steps.{s}'
            for k, intent in enumerate(step.intents):
                if intent not in intents:
                    raise OntologyError(f'{at}.intents.{k}', f'unknown intent {intent!r}')
                if intent in transit:
                    raise OntologyError(f'{at}.intents.{k}',
                                        f'{intent!r} is a transit intent')
            for k, verb in enumerate(step.verbs):
                if verb not in onto.verbs:
                    raise OntologyError(f'{at}.verbs.{k}', f'unknown verb {verb!r}')
            for slot, cls in step.slot_classes.items():
                if cls not in onto.word_classes:
                    raise OntologyError(f'{at}.slot_classes.{slot}',
                                        f'unknown word class {cls!r}')
            if step.same_object_as is not None and step.same_object_as >= s:
                raise OntologyError(f'{at}.same_object_as', 'must name an earlier step')


def ontology_from_mapping(data: Union[dict, object]) -> Ontology:
    """Validate a mapping; raise ``OntologyError`` naming the dotted path of the first bad key."""
    if not isinstance(data, dict):
        raise OntologyError('<root>', f'expected a mapping, got {type(data).__name__}')
    try:
        onto = Ontology.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = '.'.join(str(p) for p in err['loc']) or '<root>'
        raise OntologyError(path, err['msg']) from None
    _cross_check(onto)
    return onto


def load_ontology(path: Optional[Union[str, Path]] = None) -> Ontology:
    """Load and validate the ontology; ``None`` means the packaged ``config/ontology.yaml``."""
    file = Path(path) if path else config_file(ONTOLOGY_FILE)
    try:
        data = yaml.safe_load(file.read_text(encoding='utf-8'))
    except yaml.YAMLError as exc:
        raise OntologyError('<file>', f'{file}: not valid YAML: {exc}') from None
    except OSError as exc:
        raise OntologyError('<file>', f'{file}: {exc}') from None
    return ontology_from_mapping(data)
