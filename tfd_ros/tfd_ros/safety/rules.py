"""The safety rules file (``config/safety.yaml``) as frozen pydantic models.

The file has three parts: ``grammar`` (prepositions and the roles they open,
pronouns, negations, clause-joining words), ``lexicon`` (named word classes such
as ``PERSON`` or ``ACTION_HARM``; verb and noun classes are inflected
automatically) and ``rules`` (small templates over those classes, each with an
id, a category and the levels at which it applies).
"""

from pathlib import Path
import re
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
import yaml

from tfd_ros.config import ConfigError
from tfd_ros.paths import config_file

CATEGORIES = (
    'harm_to_people', 'harm_to_animals', 'property_damage', 'disable_safety', 'fire_hazard',
    'electrical_hazard', 'hazardous_materials', 'weapons', 'privacy', 'prompt_injection',
    'dangerous_motion',
)
Category = Literal[
    'harm_to_people', 'harm_to_animals', 'property_damage', 'disable_safety', 'fire_hazard',
    'electrical_hazard', 'hazardous_materials', 'weapons', 'privacy', 'prompt_injection',
    'dangerous_motion',
]
Level = Literal['standard', 'strict']
LEVEL_ORDER = {'standard': 0, 'strict': 1}

# Roles a rule can test. Prepositions open the base roles (see ``grammar.prepositions``);
# the others are unions computed by the matcher.
BASE_ROLES = ('verb', 'object', 'onto', 'into', 'to', 'near', 'through', 'off', 'down',
              'source', 'with', 'contents')
Role = Literal['verb', 'object', 'onto', 'into', 'to', 'near', 'through', 'off', 'down',
               'source', 'with', 'contents', 'dest', 'target', 'impact', 'victim', 'after_verb',
               'clause', 'sentence']
PrepRole = Literal['onto', 'into', 'to', 'near', 'through', 'off', 'down', 'source', 'with',
                   'other']
ANY_CLASS = '*'
_ID = re.compile(r'^[a-z][a-z0-9_]*$')
_CLASS = re.compile(r'^[A-Z][A-Z0-9_]*$')
_APOSTROPHES = re.compile("['’`´]")


class RulesError(ConfigError):
    """An invalid safety rules file; ``field`` is the dotted path of the bad key."""


class Frozen(BaseModel):
    model_config = ConfigDict(extra='forbid', frozen=True)


class LexiconClass(Frozen):
    """A named word class; ``verb`` and ``noun`` terms are inflected on load."""

    kind: Literal['verb', 'noun', 'phrase'] = 'phrase'
    description: str = ''
    terms: tuple[str, ...] = ()
    include: tuple[str, ...] = ()

    @field_validator('terms')
    @classmethod
    def _terms_clean(cls, value):
        cleaned = tuple(' '.join(_APOSTROPHES.sub('', t.lower()).split()) for t in value)
        if any(not t for t in cleaned):
            raise ValueError('terms must be non-empty strings')
        return cleaned


class Separable(Frozen):
    """A particle verb written apart ("turn the oven on"): the verb role gains ``adds``."""

    verbs: tuple[str, ...]
    particle: str
    adds: str


class Grammar(Frozen):
    """Function words that shape clauses and roles."""

    prepositions: dict[str, PrepRole]
    pronouns: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    negation_window: int = Field(default=3, ge=1, le=10)
    conjunctions: tuple[str, ...] = ()
    skip_before_verb: tuple[str, ...] = ()
    separable: tuple[Separable, ...] = ()
    result_conjunctions: tuple[str, ...] = ()
    causatives: tuple[str, ...] = ()


class Near(Frozen):
    """A class of ``first`` followed (or preceded) by a class of ``then`` within N tokens."""

    first: tuple[str, ...]
    then: tuple[str, ...]
    within: int = Field(default=4, ge=0, le=30)
    ordered: bool = True


class PayloadCondition(Frozen):
    """A condition over a compiled ``TextOpPayload`` (and each of its steps)."""

    intents: tuple[str, ...] = ()
    fields: dict[Literal['target', 'destination', 'any'], tuple[str, ...]] = {}
    speed: Optional[Literal['slow', 'normal', 'fast']] = None


class Rule(Frozen):
    """One rule: text conditions over a clause/sentence, or a payload condition."""

    id: str
    category: Category
    description: str
    levels: tuple[Level, ...] = Field(min_length=1)
    scope: Literal['clause', 'sentence'] = 'clause'
    verb: tuple[str, ...] = ()
    require: dict[Role, tuple[str, ...]] = {}
    exclude: dict[Role, tuple[str, ...]] = {}
    near: Optional[Near] = None
    allow_negated: bool = False
    payload: Optional[PayloadCondition] = None

    @field_validator('id')
    @classmethod
    def _id_format(cls, value):
        if not _ID.match(value):
            raise ValueError('rule ids are lower_snake_case')
        return value


class SafetyRules(Frozen):
    """The whole safety rules file."""

    version: int = 1
    grammar: Grammar
    lexicon: dict[str, LexiconClass]
    rules: tuple[Rule, ...] = Field(min_length=1)


def _loc(loc) -> str:
    return '.'.join(str(part) for part in loc)


def _check_references(rules: SafetyRules) -> None:
    """Raise ``RulesError`` naming the first unknown class, duplicate id or empty rule."""
    known = set(rules.lexicon) | {ANY_CLASS}
    for name, entry in rules.lexicon.items():
        if not _CLASS.match(name):
            raise RulesError(f'lexicon.{name}', 'class names are UPPER_SNAKE_CASE')
        for i, inc in enumerate(entry.include):
            if inc not in known:
                raise RulesError(f'lexicon.{name}.include.{i}', f'unknown class {inc!r}')
        if not entry.terms and not entry.include:
            raise RulesError(f'lexicon.{name}.terms', 'a class needs terms or include')
    for i, sep in enumerate(rules.grammar.separable):
        if sep.adds not in known:
            raise RulesError(f'grammar.separable.{i}.adds', f'unknown class {sep.adds!r}')
    seen = set()
    for i, rule in enumerate(rules.rules):
        base = f'rules.{i}'
        if rule.id in seen:
            raise RulesError(f'{base}.id', f'duplicate rule id {rule.id!r}')
        seen.add(rule.id)
        refs = [('verb', j, c) for j, c in enumerate(rule.verb)]
        for part in ('require', 'exclude'):
            for role, classes in getattr(rule, part).items():
                refs += [(f'{part}.{role}', j, c) for j, c in enumerate(classes)]
        if rule.near:
            refs += [('near.first', j, c) for j, c in enumerate(rule.near.first)]
            refs += [('near.then', j, c) for j, c in enumerate(rule.near.then)]
        if rule.payload:
            for fname, classes in rule.payload.fields.items():
                refs += [(f'payload.fields.{fname}', j, c) for j, c in enumerate(classes)]
        for where, j, cls in refs:
            if cls not in known:
                raise RulesError(f'{base}.{where}.{j}', f'unknown lexicon class {cls!r}')
        has_text = bool(rule.verb or rule.require or rule.near)
        if rule.payload is not None and has_text:
            raise RulesError(f'{base}.payload', 'a payload rule has no text conditions')
        if rule.payload is None and not has_text:
            raise RulesError(base, 'a rule needs verb, require, near or payload')
        if rule.scope == 'sentence' and rule.verb:
            raise RulesError(f'{base}.verb', 'sentence-scope rules have no head verb')


def parse_rules(data) -> SafetyRules:
    """Validate already-parsed YAML data; errors name the dotted path of the bad key."""
    if not isinstance(data, dict):
        raise RulesError('<root>', 'the safety file must be a mapping')
    try:
        rules = SafetyRules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RulesError(_loc(first['loc']) or '<root>', first['msg']) from None
    _check_references(rules)
    return rules


def load_rules(path: Union[str, Path, None] = None) -> SafetyRules:
    """Load and validate a safety rules YAML file (default: the packaged safety.yaml)."""
    path = Path(path) if path else config_file('safety.yaml')
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except yaml.YAMLError as exc:
        raise RulesError('<yaml>', f'{path}: {exc}') from None
    return parse_rules(data)
