"""Compound instructions: split "X, then Y" / "X and then Y" / "X and Y" into clauses.

Candidate boundaries are clause punctuation, connectives ("and", "then", "after that") and
asyndetic verb starts ("go to the bathroom take the rag ..."). A split is kept only when the
right-hand part is itself a command; otherwise it is glued back to the part before it, so
"the laptop and the book" stays one object and "but be careful with the vase" stays with its
task. A bare goal after "and then" ("go to the kitchen and then in the bathroom") repeats the
previous motion.

``composite_purpose`` reads the purpose of the whole instruction from the ontology's composite
rules ("pick up the CD and turn on the lamp" is an inspection of the CD).
"""

from itertools import permutations
from typing import Optional

from tfd_ros.compiler.lexicon import Lexicon
from tfd_ros.compiler.morphology import singular
from tfd_ros.compiler.slots import Clause, parse_clause, parse_noun_phrase
from tfd_ros.compiler.text import CLAUSE_PUNCT


def _boundaries(lex: Lexicon, toks: list) -> list:
    """Return ``[(start, glue)]``: a clause starts after ``glue`` tokens at ``start``."""
    n = len(toks)
    cuts = []
    scan = lex.boundary_scan
    skip_to = 1  # the tokens before this index are read (the first never starts a clause)
    for i, tok in enumerate(toks):
        if i < skip_to or tok not in scan:
            continue  # no punctuation, connective, clause opener or command verb starts here
        if tok in CLAUSE_PUNCT:
            k = i + 1
            m = lex.connectives.match(toks, k) if k < n else None
            if m:
                k += m[0]
            cuts.append((i, k - i))
            skip_to = k
            continue
        m = tok in lex.connectives and lex.connectives.match(toks, i)
        p = tok in lex.preps and lex.preps.match(toks, i)
        if m and m[0] == 1 and _serial_and(lex, toks, i):
            continue  # "go and get the book" is one errand
        if m and not (p and p[0] > m[0]):
            cuts.append((i, m[0]))
            skip_to = i + m[0]
            continue
        m = tok in lex.clause_openers and lex.clause_openers.match(toks, i)
        if m and _ends_phrase(lex, toks[i - 1]):
            cuts.append((i, 0))
            skip_to = i + m[0]
            continue
        if _asyndetic_verb(lex, toks, i):
            cuts.append((i, 0))
    return cuts


# Particles that also read as prepositions but follow a verb ("switch off the light").
_SHIFTING_PARTICLES = frozenset({'up', 'down', 'out', 'away', 'back', 'off', 'over'})


def _serial_and(lex: Lexicon, toks: list, i: int) -> bool:
    """Whether ``toks[i]`` is the "and" of a serial verb ("go and get", "come and see")."""
    if toks[i] != 'and' or i + 1 >= len(toks):
        return False
    prev = toks[i - 1]
    return (lex.lemma(prev) in lex.serial_verbs and lex.lemma(prev) == prev
            and lex.is_verb(toks[i + 1]))


def _ends_phrase(lex: Lexicon, prev: str) -> bool:
    return (prev not in CLAUSE_PUNCT and prev not in lex.auxiliaries
            and prev not in lex.determiners.singles and prev not in lex.preps.singles
            and prev not in lex.fillers and prev not in lex.negation_cues
            and prev not in lex.connectives)


def _asyndetic_verb(lex: Lexicon, toks: list, i: int) -> bool:
    """Whether a base-form command verb at ``toks[i]`` starts a new clause without a connective."""
    tok = toks[i]
    if lex.lemma(tok) != tok or (tok not in lex.verbs and tok not in lex.serial_verbs):
        return False
    prev = toks[i - 1]
    if not _ends_phrase(lex, prev) or lex.lemma(prev) in lex.serial_verbs \
            or prev in lex.particles and prev not in ('up', 'down', 'out', 'away', 'back'):
        return False
    if prev in lex.colours or prev in lex.adjectives and prev not in lex.pronouns:
        return False
    if i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    if tok in lex.particles and not lex.determiners.match(toks, i + 1):
        return False  # "put the milk back in the fridge": a particle, not a verb
    if any(k >= 0 and toks[k] in lex.phrases
           and (lex.phrases.match(toks, k) or (0, None))[0] > i - k
           for k in (i - 1, i - 2, i - 3)):
        return False  # inside a multi-word verb ("pull open the drawer")
    spec = lex.verbs.get(tok)
    if nxt in lex.preps and lex.preps.match(toks, i + 1) and spec is not None \
            and nxt not in spec.particles \
            and nxt not in _SHIFTING_PARTICLES and not (
                spec.intransitive or spec.intent == 'navigation' or spec.target_preps):
        return False  # "the potato slice in the sink": a noun before its preposition
    return bool(nxt in lex.determiners and lex.determiners.match(toks, i + 1)
                or nxt in lex.pronouns or nxt in lex.preps and lex.preps.match(toks, i + 1)
                or nxt in lex.directions or nxt in lex.indirect_objects
                or nxt in lex.numbers and lex.numbers.match(toks, i + 1)
                or lex.is_verb(nxt) and lex.lemma(tok) in lex.serial_verbs)


def split_clauses(lex: Lexicon, toks: list) -> list:
    """Split ``toks`` into clauses; return the parsed ``Clause`` list in text order."""
    cuts = _boundaries(lex, toks)
    segments = []
    start = 0
    for pos, glue in cuts:
        segments.append((start, pos, glue))
        start = pos + glue
    segments.append((start, len(toks), 0))
    clauses = []
    for idx, (s, e, glue) in enumerate(segments):
        seg = toks[s:e]
        if not seg:
            continue
        parsed = parse_clause(lex, seg)
        if clauses and parsed.intent is None and not parsed.statement:
            prev = clauses[-1]
            if prev.intent == 'navigation' and seg and lex.preps.match(seg, 0):
                np = parse_noun_phrase(lex, seg, lex.preps.match(seg, 0)[0])
                if np is not None and glue_word(toks, s) in ('then', 'and', 'after'):
                    step = Clause(tokens=list(seg), start=s, intent='navigation',
                                  params={'destination': np.text},
                                  confidence=prev.confidence - 0.1)
                    step.notes.append('elliptic motion: verb repeated from previous step')
                    clauses.append(step)
                    continue
            # Not a command: glue it back onto the previous clause and read that again.
            gap = toks[prev.start:e]
            merged = parse_clause(lex, gap)
            if merged.intent == prev.intent:
                merged.start = prev.start
                clauses[-1] = merged
            continue
        clauses.append(parsed)
        parsed.start = s
    return clauses


def glue_word(toks: list, start: int) -> str:
    """Return the connective word just before ``toks[start]`` (empty at the start)."""
    k = start - 1
    while k >= 0 and toks[k] in CLAUSE_PUNCT:
        k -= 1
    return toks[k] if k >= 0 else ''


def composite_purpose(lex: Lexicon, commands: list) -> Optional[tuple]:
    """Return ``(rule, clauses)`` of the first composite rule that ``commands`` match.

    Transit steps (``composite_intents.transit_intents``) are skipped; every other command must
    match one step of the rule's pattern. ``clauses`` lists the matched clauses in pattern order.
    ``None`` when no rule matches.
    """
    core = [c for c in commands if c.intent not in lex.transit_intents]
    if not core:
        return None
    needed = {c.intent for c in core}
    for rule, intents in lex.composite_by_length.get(len(core), ()):
        if not needed <= intents:
            continue  # some command fits no step of this rule
        orders = (core,) if rule.ordered else permutations(core)
        for seq in orders:
            if all(_step_matches(lex, pattern, seq[k], seq)
                   for k, pattern in enumerate(rule.steps)):
                return rule, list(seq)
    return None


def _step_matches(lex: Lexicon, pattern, clause: Clause, seq) -> bool:
    """Whether ``clause`` fits one ``StepPattern`` (``seq``: the clauses in pattern order)."""
    params = clause.params
    if clause.intent not in pattern.intents:
        return False
    if pattern.verbs and clause.verb not in pattern.verbs:
        return False
    if clause.particle is not None and clause.particle in pattern.exclude_particles:
        return False
    if any(params.get(slot) for slot in pattern.absent_slots):
        return False
    if not all(lex.in_class(cls, params.get(slot))
               for slot, cls in pattern.slot_classes.items()):
        return False
    if pattern.same_object_as is not None:
        return _same_object(lex, seq[pattern.same_object_as].params.get('target'),
                            params.get('target'))
    return True


def _same_object(lex: Lexicon, earlier: Optional[str], later: Optional[str]) -> bool:
    """Whether a later target refers back to an earlier one (pronoun, omitted, same head)."""
    if not later or later in lex.pronouns:
        return True
    if not earlier or earlier in lex.pronouns:
        return False
    return singular(earlier.split()[-1]) == singular(later.split()[-1])
