"""Clauses and roles: who does what to what, where, with what (no parser, just classes).

A sentence is cut into clauses at sentence punctuation, and at a comma or a
joining word ("and", "then", "after", ...) when a verb or a negation follows.
In each clause the first verb is the head; the words after it fill the
``object`` role until a preposition opens another role (``onto``, ``into``,
``to``, ``near``, ``through``, ``off``, ``down``, ``source``, ``with``).
"it"/"them" take the object (and contents) of the latest clause that had one,
so "fill a mug with water and pour it onto the laptop" pours water on a laptop.
After a result word ("until", "so") a pronoun before the verb is what the verb
happens to ("kick the door until it breaks" breaks the door), and after a
causative ("let", "make") a second verb tells what happens to the object
("let the vase fall" drops the vase).
"""

from dataclasses import dataclass, field

from tfd_ros.safety.lexicon import PREP

PRONOUN = '_pronoun'
NEGATION = '_negation'
CONJUNCTION = '_conjunction'
SKIP = '_skip'
UNION_ROLES = {
    'dest': ('onto', 'into', 'to', 'near', 'through', 'off', 'down'),
    'target': ('object', 'onto', 'into', 'to'),
    'impact': ('onto', 'into', 'through'),
    'victim': ('object', 'onto', 'into', 'through'),
    'after_verb': ('object', 'onto', 'into', 'to', 'near', 'through', 'off', 'down',
                   'source', 'with'),
}
_NO_CLASSES = frozenset()

__all__ = ['PREP', 'PRONOUN', 'NEGATION', 'CONJUNCTION', 'SKIP', 'Unit', 'Frame', 'units_of',
           'units_from_tags', 'split_clauses', 'build_frames', 'frames_of_rows']


@dataclass(slots=True)
class Unit:
    """A tagged phrase (or a single untagged word) over tokens [start, end)."""

    start: int
    end: int
    classes: frozenset
    word: str


@dataclass
class Frame:
    """One clause: head verb, roles (class -> token span) and the tagged units."""

    start: int
    end: int
    negated: bool = False
    roles: dict = field(default_factory=dict)
    units: list = field(default_factory=list)

    def role(self, name: str) -> dict:
        """Classes of a base or union role, each with the token span that shows it."""
        if name in UNION_ROLES:
            out = {}
            for part in UNION_ROLES[name]:
                for cls, span in self.roles.get(part, {}).items():
                    out.setdefault(cls, span)
            return out
        return self.roles.get(name, {})


def _add(role: dict, classes, span) -> None:
    for cls in classes:
        if cls[0] != '_':
            role.setdefault(cls, span)


def units_of(words, lexicon) -> list:
    """Tag words by longest match; untagged words become class-less units."""
    return units_from_tags(words, lexicon.tag(words))


def units_from_tags(words, tags) -> list:
    """Units over ``words`` from the (start, end, classes) matches of ``CompiledLexicon.tag``."""
    units = []
    pos = 0
    for start, end, classes in tags:
        for k in range(pos, start):
            units.append(Unit(k, k + 1, _NO_CLASSES, words[k]))
        word = words[start] if end - start == 1 else ' '.join(words[start:end])
        units.append(Unit(start, end, classes, word))
        pos = end
    for k in range(pos, len(words)):
        units.append(Unit(k, k + 1, _NO_CLASSES, words[k]))
    return units


def split_clauses(units, tokens, verb_classes) -> list:
    """Group units into clauses (lists of units)."""
    breaks = [(t.hard_break, t.soft_break) for t in tokens]
    return _split_clauses(units, breaks, {u.classes: (not u.classes.isdisjoint(verb_classes),)
                                          for u in units})


def _split_clauses(units, breaks, kinds) -> list:
    """``split_clauses`` over (hard, soft) break flags per token and precomputed unit kinds."""
    clauses, current = [], []
    joint = False
    joint_at = None  # index in ``current`` of the joining word
    subject_from = None  # "until it breaks": the joining word and pronoun open the next clause
    previous = None
    for unit in units:
        hard_break, soft_break = breaks[unit.start]
        classes = unit.classes
        is_verb = kinds[classes][0]
        if current:
            starts = is_verb or NEGATION in classes
            infinitive = is_verb and previous is not None and previous.word == 'to'
            if hard_break or (starts and (joint or soft_break)) or infinitive:
                if subject_from and not hard_break:
                    clauses.append(current[:subject_from])
                    current = current[subject_from:]
                else:
                    clauses.append(current)
                    current = []
                joint_at = subject_from = None
        current.append(unit)
        if not classes:
            joint = False
            joint_at = subject_from = None
        elif CONJUNCTION in classes:
            joint = True
            joint_at = len(current) - 1
        elif SKIP in classes:
            joint = joint or soft_break
        elif PRONOUN in classes and joint:
            subject_from = joint_at  # a subject pronoun keeps the clause joint open
        else:
            joint = False
            joint_at = subject_from = None
        previous = unit
    if current:
        clauses.append(current)
    return clauses


def build_frames(units, tokens, lexicon, grammar_info) -> list:
    """Build one ``Frame`` per clause, resolving pronouns against earlier clauses."""
    rows = [(t.text, t.start, t.end, t.hard_break, t.soft_break) for t in tokens]
    return frames_of_rows(units, rows, lexicon, grammar_info)


def frames_of_rows(units, rows, lexicon, grammar_info) -> list:
    """``build_frames`` over token rows ``(text, start, end, hard_break, soft_break)``."""
    kinds = lexicon.kinds
    frames = []
    antecedent = None  # (object role, contents role)
    for clause in _split_clauses(units, [row[3:] for row in rows], kinds):
        frame = Frame(clause[0].start, clause[-1].end, units=clause)
        roles = {'verb': {}, 'object': {}, 'contents': {}}
        head = next((k for k, unit in enumerate(clause) if kinds[unit.classes][0]), None)
        if head is not None:
            frame.negated = _fill_roles(roles, clause, head, kinds, antecedent, grammar_info)
        clause_role = {}
        for unit in clause:
            span = (unit.start, unit.end - 1)
            for cls in kinds[unit.classes][2]:
                clause_role.setdefault(cls, span)
        roles['clause'] = clause_role
        frame.roles = roles
        if roles.get('object'):
            antecedent = (roles['object'], roles['contents'])
        frames.append(frame)
    return frames


def _fill_roles(roles, clause, head, kinds, antecedent, grammar_info) -> bool:
    """Fill the roles of a clause with a head verb; return whether the verb is negated."""
    window = grammar_info['negation_window']
    negated = any(NEGATION in clause[j].classes for j in range(max(0, head - window), head))
    verb_unit = clause[head]
    verb_span = (verb_unit.start, verb_unit.end - 1)
    for cls in kinds[verb_unit.classes][2]:
        roles['verb'].setdefault(cls, verb_span)
    role = 'object'
    opened = None  # (particle word, role name, had content)
    pronoun_roles = []
    particles = []
    causative = verb_unit.word.split()[0] in grammar_info.get('causatives', ())
    for unit in clause[head + 1:]:
        classes = unit.classes
        if not classes:
            roles.setdefault(role, {})
            continue
        is_verb, prep_role, real = kinds[classes]
        if causative and is_verb:
            # "let the vase fall": the second verb acts on the first one's object
            causative = False
            _add(roles['verb'], real, (unit.start, unit.end - 1))
            continue
        if causative and NEGATION in classes:
            causative = False
        if prep_role is not None:
            if opened is not None:
                particles.append(opened)
            role = prep_role
            opened = [unit.word, False]
            continue
        target = roles.setdefault(role, {})
        if PRONOUN in classes:
            pronoun_roles.append((role, unit))
            if opened is not None:
                opened[1] = True
            continue
        if real:
            span = (unit.start, unit.end - 1)
            for cls in real:
                target.setdefault(cls, span)
            if opened is not None:
                opened[1] = True
    if opened is not None:
        particles.append(opened)
    if (not roles['object'] and not any(r == 'object' for r, _ in pronoun_roles)
            and clause[0].word in grammar_info.get('result_conjunctions', ())):
        for unit in clause[1:head]:
            if PRONOUN in unit.classes:
                pronoun_roles.append(('object', unit))
                break
    _particle_roles(roles, particles, verb_unit, antecedent, grammar_info['separable'])
    if antecedent is not None:
        obj, contents = antecedent
        for role_name, _ in pronoun_roles:
            for cls, span in obj.items():
                roles.setdefault(role_name, {}).setdefault(cls, span)
            for cls, span in contents.items():
                roles['contents'].setdefault(cls, span)
    for part in ('object', 'with'):
        for cls, span in roles.get(part, {}).items():
            roles['contents'].setdefault(cls, span)
    return negated


def _particle_roles(roles, particles, verb_unit, antecedent, separable) -> None:
    """Particles left without content: "put it in", and separable verbs ("turn it on")."""
    head_word = verb_unit.word.split()[0]
    for word, had_content in particles:
        if had_content:
            continue
        if word in ('inside', 'in', 'into') and antecedent is not None:
            for cls, span in antecedent[0].items():
                roles.setdefault('into', {}).setdefault(cls, span)
        for sep in separable:
            if word == sep[1] and head_word in sep[0]:
                _add(roles['verb'], (sep[2],), (verb_unit.start, verb_unit.end - 1))
