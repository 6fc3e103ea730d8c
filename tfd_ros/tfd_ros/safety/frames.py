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

PREP = '_prep:'
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


@dataclass
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
    units = []
    pos = 0
    for start, end, classes in lexicon.tag(words):
        for k in range(pos, start):
            units.append(Unit(k, k + 1, frozenset(), words[k]))
        units.append(Unit(start, end, classes, ' '.join(words[start:end])))
        pos = end
    for k in range(pos, len(words)):
        units.append(Unit(k, k + 1, frozenset(), words[k]))
    return units


def split_clauses(units, tokens, verb_classes) -> list:
    """Group units into clauses (lists of units)."""
    clauses, current = [], []
    joint = False
    joint_at = None  # index in ``current`` of the joining word
    subject_from = None  # "until it breaks": the joining word and pronoun open the next clause
    previous = None
    for unit in units:
        token = tokens[unit.start]
        is_verb = bool(unit.classes & verb_classes)
        starts = NEGATION in unit.classes or is_verb
        if current:
            infinitive = is_verb and previous is not None and previous.word == 'to'
            if token.hard_break or (starts and (joint or token.soft_break)) or infinitive:
                if subject_from and not token.hard_break:
                    clauses.append(current[:subject_from])
                    current = current[subject_from:]
                else:
                    clauses.append(current)
                    current = []
                joint_at = subject_from = None
        current.append(unit)
        if CONJUNCTION in unit.classes:
            joint = True
            joint_at = len(current) - 1
        elif SKIP in unit.classes:
            joint = joint or token.soft_break
        elif PRONOUN in unit.classes and joint:
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
    verb_classes = lexicon.verb_classes
    frames = []
    antecedent = None  # (object role, contents role)
    separable = grammar_info['separable']
    window = grammar_info['negation_window']
    result_words = grammar_info.get('result_conjunctions', frozenset())
    causatives = grammar_info.get('causatives', frozenset())
    for clause in split_clauses(units, tokens, verb_classes):
        frame = Frame(clause[0].start, clause[-1].end, units=clause)
        roles = {'verb': {}, 'object': {}, 'contents': {}}
        head = None
        for k, unit in enumerate(clause):
            if unit.classes & verb_classes:
                head = k
                break
        if head is not None:
            for j in range(max(0, head - window), head):
                if NEGATION in clause[j].classes:
                    frame.negated = True
            verb_unit = clause[head]
            _add(roles['verb'], verb_unit.classes, (verb_unit.start, verb_unit.end - 1))
            role = 'object'
            opened = None  # (particle word, role name, had content)
            pronoun_roles = []
            particles = []
            causative = verb_unit.word.split()[0] in causatives
            for unit in clause[head + 1:]:
                if causative and unit.classes & verb_classes:
                    # "let the vase fall": the second verb acts on the first one's object
                    causative = False
                    _add(roles['verb'], unit.classes, (unit.start, unit.end - 1))
                    continue
                if causative and NEGATION in unit.classes:
                    causative = False
                prep_role = next((c[len(PREP):] for c in unit.classes if c.startswith(PREP)),
                                 None)
                if prep_role is not None:
                    if opened is not None:
                        particles.append(opened)
                    role = prep_role
                    opened = [unit.word, False]
                    continue
                target = roles.setdefault(role, {})
                if PRONOUN in unit.classes:
                    pronoun_roles.append((role, unit))
                    if opened is not None:
                        opened[1] = True
                    continue
                real = [c for c in unit.classes if c[0] != '_']
                if real:
                    _add(target, real, (unit.start, unit.end - 1))
                    if opened is not None:
                        opened[1] = True
            if opened is not None:
                particles.append(opened)
            if (not roles['object'] and not any(r == 'object' for r, _ in pronoun_roles)
                    and clause[0].word in result_words):
                for unit in clause[1:head]:
                    if PRONOUN in unit.classes:
                        pronoun_roles.append(('object', unit))
                        break
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
            for role_name, unit in pronoun_roles:
                if antecedent is not None:
                    obj, contents = antecedent
                    for cls, span in obj.items():
                        roles.setdefault(role_name, {}).setdefault(cls, span)
                    for cls, span in contents.items():
                        roles['contents'].setdefault(cls, span)
            for part in ('object', 'with'):
                for cls, span in roles.get(part, {}).items():
                    roles['contents'].setdefault(cls, span)
        clause_role = {}
        for unit in clause:
            _add(clause_role, unit.classes, (unit.start, unit.end - 1))
        roles['clause'] = clause_role
        frame.roles = roles
        if roles.get('object'):
            antecedent = (roles['object'], roles['contents'])
        frames.append(frame)
    return frames
