"""One clause -> intent and slots: request wrappers, verb + particles, noun phrases, PPs.

A clause is a list of normalised tokens holding at most one command. ``parse_clause`` finds the
command verb (after politeness wrappers, vocatives and manner adverbs), reads the verb's
particles, its indirect and direct objects and the prepositional phrases that follow, and fills
the slots the intent asks for (target, destination, source, recipient, quantity, colour).
"""

from dataclasses import dataclass, field
import re
from typing import Optional

from tfd_ros.compiler.lexicon import Lexicon
from tfd_ros.compiler.text import CLAUSE_PUNCT

# Prepositions that express a goal rather than a place; they win over locative ones.
_DIRECTIONAL = frozenset({
    'to', 'into', 'onto', 'on to', 'in to', 'towards', 'toward', 'over to', 'back to',
    'back into', 'up to', 'down to', 'straight to', 'to the left of', 'to the right of'})
# Generic particles consumed right after a verb (prepositions such as "in"/"on" are not).
_VERB_PARTICLES = frozenset({
    'up', 'down', 'away', 'out', 'back', 'around', 'aside', 'together', 'apart', 'forward',
    'forwards', 'backward', 'backwards', 'over', 'off'})
_DEGREE = (('a', 'little', 'bit'), ('a', 'little'), ('a', 'bit'), ('a', 'tad'))
_DEGREE_FIRST = frozenset(words[0] for words in _DEGREE)
_SLUG = re.compile(r'[^a-z0-9]+')
_MAX_NP = 6
# Words that parse_noun_phrase checks by name (besides the lexicon's ``np_scan``).
_NP_WORDS = frozenset({'and', 'or', 'it'})
_TRANSITIVE = frozenset({
    'pick_place', 'inspection', 'clean_area', 'sort_objects', 'open_close', 'operate_device'})


@dataclass
class NounPhrase:
    """A parsed noun phrase: content words (articles, colours, adjectives removed) and extras."""

    words: list
    start: int
    end: int
    colours: list = field(default_factory=list)
    adjectives: list = field(default_factory=list)
    quantity: Optional[int] = None
    pronoun: bool = False

    @property
    def text(self) -> str:
        return ' '.join(self.words)

    @property
    def head(self) -> str:
        return self.words[-1] if self.words else ''


@dataclass
class Clause:
    """The reading of one clause."""

    tokens: list
    start: int = 0
    intent: Optional[str] = None
    verb: Optional[str] = None
    verb_index: int = -1
    particle: Optional[str] = None
    params: dict = field(default_factory=dict)
    target_np: Optional[NounPhrase] = None
    colours: list = field(default_factory=list)
    novelty_words: list = field(default_factory=list)
    confidence: float = 0.0
    negated: bool = False
    statement: bool = False
    indirect: bool = False
    notes: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return ' '.join(t for t in self.tokens)

    @property
    def has_place(self) -> bool:
        return bool(self.params.get('destination') or self.params.get('direction')
                    or self.params.get('target'))


def slug(text: str) -> str:
    """Return ``text`` as a lower-case identifier fragment ("living room" -> "living_room")."""
    if text.isascii() and text.isalnum():
        return text.lower()  # one ASCII word: nothing to replace
    return _SLUG.sub('_', text.lower()).strip('_')


def parse_noun_phrase(lex: Lexicon, toks: list, i: int, allow_of: bool = True
                      ) -> Optional[NounPhrase]:
    """Parse a noun phrase starting at ``toks[i]``; ``None`` when none starts there."""
    n = len(toks)
    if i >= n or toks[i] in CLAUSE_PUNCT:
        return None
    start = i
    quantity = None
    colours = []
    raw = []
    j = i
    det_last = None  # the last word of the last determiner
    numbers = lex.numbers
    determiners = lex.determiners
    while j < n:
        num = toks[j] in numbers and numbers.match(toks, j)
        if num:
            quantity = num[1]
            j += num[0]
            continue
        det = toks[j] in determiners and determiners.match(toks, j)
        if det:
            det_last = toks[j + det[0] - 1]
            j += det[0]
            continue
        if toks[j].isdigit():
            quantity = int(toks[j]) if len(toks[j]) < 7 else None
            j += 1
            continue
        break
    scan = lex.np_scan
    while j < n and len(raw) < _MAX_NP:
        tok = toks[j]
        if tok not in scan and tok not in _NP_WORDS:
            pass  # a plain content word: none of the checks below can stop the phrase
        elif tok in CLAUSE_PUNCT:
            break
        elif tok in ('and', 'or') and raw and raw[-1] in lex.colours and j + 1 < n \
                and toks[j + 1] in lex.colours:
            j += 1
            continue
        elif raw:
            if tok in lex.np_stops or tok in lex.negation_cues or tok in lex.particles \
                    or tok in lex.indirect_objects or tok == 'it' \
                    or tok in lex.preps and lex.preps.match(toks, j):
                break
            if tok in lex.directions and _closes_phrase(lex, toks, j + 1):
                break  # "take the laundry upstairs", "bring the kids home"
            m = tok in lex.modifiers and lex.modifiers.match(toks, j)
            if m and not (m[0] == 1 and tok in lex.np_sensitive and j + 1 < n
                          and toks[j + 1] not in CLAUSE_PUNCT
                          and not lex.preps.match(toks, j + 1)
                          and toks[j + 1] not in lex.np_stops):
                break
            if lex.lemma(tok) == tok and tok in lex.verbs and j + 1 < n \
                    and lex.determiners.match(toks, j + 1):
                break
        else:
            if tok in lex.np_stops and tok not in lex.pronouns:
                break
            if tok in lex.preps and lex.preps.match(toks, j) or tok in lex.negation_cues:
                break
            if tok in lex.modifiers and lex.modifiers.match(toks, j) and not (
                    tok in lex.np_sensitive and j + 1 < n and toks[j + 1] not in CLAUSE_PUNCT
                    and toks[j + 1] not in lex.np_stops and not lex.preps.match(toks, j + 1)):
                break
        raw.append(tok)
        j += 1
        if tok in lex.pronouns and len(raw) == 1 and tok not in lex.colours:
            # "it", "them", "me", "one", "some": the phrase is the pronoun alone.
            nxt = toks[j] if j < n else ''
            if tok not in ('one', 'some', 'this', 'that', 'these', 'those', 'all', 'both') \
                    or not nxt or nxt in CLAUSE_PUNCT or nxt in lex.np_stops \
                    or nxt in lex.particles or nxt in lex.preps and lex.preps.match(toks, j):
                return NounPhrase([tok], start, j, quantity=quantity, pronoun=True)
    if not raw:
        if det_last is not None and det_last in lex.pronouns:
            return NounPhrase([det_last], start, j, quantity=quantity, pronoun=True)
        if quantity is not None:
            return NounPhrase([toks[j - 1]], start, j, quantity=quantity, pronoun=True)
        return None
    if len(raw) == 1:
        words, adjectives = raw, []  # a lone word is the head, whatever it is
    else:
        words, adjectives = _content_words(lex, raw, colours)
    np = NounPhrase(words, start, j, colours, adjectives, quantity)
    if allow_of and j + 1 < n and toks[j] == 'of':
        tail = parse_noun_phrase(lex, toks, j + 1, allow_of=False)
        if tail and not tail.pronoun:
            np.words = np.words + ['of'] + tail.words
            np.colours += tail.colours
            np.end = tail.end
    return np


def _content_words(lex: Lexicon, raw: list, colours: list) -> tuple:
    """Return ``(words, adjectives)`` of a phrase's words; colours go to ``colours``."""
    words = []
    adjectives = []
    for k, word in enumerate(raw):
        last = k == len(raw) - 1
        if not last and word in lex.colours:
            colours.append(lex.colours[word])
        elif not last and not words and (word in lex.adjectives or _participle(lex, word)):
            adjectives.append(word)
        elif word in ('ones', 'one') and (colours or adjectives):
            continue
        else:
            words.append(word)
    if not words:
        # "the red ones" / "the broken one": the adjective names the set.
        words = [raw[-1]] if raw[-1] not in ('ones', 'one') else [raw[0]]
    return words, adjectives


def _closes_phrase(lex: Lexicon, toks: list, j: int) -> bool:
    """Whether ``toks[j]`` ends a phrase: the end, punctuation, a stop word or a preposition."""
    if j >= len(toks):
        return True
    tok = toks[j]
    return (tok in CLAUSE_PUNCT or tok in lex.np_stops or lex.preps.match(toks, j) is not None
            or lex.modifiers.match(toks, j) is not None)


def _participle(lex: Lexicon, word: str) -> bool:
    """Whether ``word`` reads as a participle adjective ("sliced", "heated", "rinsed")."""
    return len(word) > 4 and word.endswith('ed') and lex.lemma(word) not in (None, word)


def skip_prefix(lex: Lexicon, toks: list, i: int) -> int:
    """Skip politeness wrappers, fillers and vocatives at ``toks[i]``; return the new index."""
    n = len(toks)
    while i < n:
        tok = toks[i]
        if tok in CLAUSE_PUNCT:
            i += 1
            continue
        m = tok in lex.modifiers and lex.modifiers.match(toks, i)
        if m and m[0] > 1:
            i += m[0]  # a manner phrase before the command ("when you get a chance, ...")
            continue
        m = tok in lex.wrappers and lex.wrappers.match(toks, i)
        if m:
            i += m[0]
            continue
        if tok in lex.fillers and not lex.is_verb(tok):
            i += 1
            continue
        if _degree(toks, i):
            i += _degree(toks, i)
            continue
        break
    return i


def _degree(toks: list, i: int) -> int:
    if i >= len(toks) or toks[i] not in _DEGREE_FIRST:
        return 0
    for words in _DEGREE:
        if tuple(toks[i:i + len(words)]) == words:
            return len(words)
    return 0


def _find_verb(lex: Lexicon, toks: list, i: int) -> tuple:
    """Return ``(index, length, lemma or None, phrase intent or None)`` of the command verb."""
    n = len(toks)
    j = i
    while j < n:
        tok = toks[j]
        ph = tok in lex.phrases and lex.phrases.match(toks, j)
        if ph:
            return j, ph[0], None, ph[1]
        m = tok in lex.modifiers and lex.modifiers.match(toks, j)
        if m and m[0] > 1:
            # A manner phrase that opens with a verb ("take it easy", "hurry up").
            j += m[0]
            continue
        lemma = lex.lemma(tok)
        if lemma is None and j == i:
            lemma = lex.transposed_lemma(tok)
        if lemma:
            if lemma in lex.serial_verbs and j + 1 < n:
                k = skip_prefix(lex, toks, j + 1) if toks[j + 1] in ('and', 'to') else j + 1
                nxt = toks[k] if k < n else ''
                prep = lex.preps.match(toks, k)
                if nxt and nxt not in lex.directions and lex.is_verb(nxt) and not prep \
                        and lex.lemma(nxt) not in lex.serial_verbs:
                    j = k
                    continue
            if lemma in lex.verbs:
                return j, 1, lemma, None
        # Manner adverbs and fillers may precede the verb ("gently place ...").
        if m:
            j += m[0]
            continue
        if tok in lex.fillers or _degree(toks, j):
            j += max(1, _degree(toks, j))
            continue
        break
    return -1, 0, None, None


def parse_clause(lex: Lexicon, toks: list) -> Clause:
    """Read one clause; the result has ``intent None`` when it holds no command."""
    clause = Clause(tokens=list(toks))
    n = len(toks)
    i = skip_prefix(lex, toks, 0)
    if i < n and toks[i] in lex.phrases and lex.phrases.match(toks, i):
        pass  # a phrase that holds its own negation ("do not move")
    elif i < n - 1 and toks[i] == 'do' and toks[i + 1] == 'not':
        clause.negated = True
        i = skip_prefix(lex, toks, i + 2)
    elif i < n and toks[i] in ('never', 'not', 'no'):
        clause.negated = True
        i = skip_prefix(lex, toks, i + 1)
    if i < n and toks[i] in lex.instrument_verbs:
        tool = parse_noun_phrase(lex, toks, i + 1)
        if tool is not None and tool.end < n and toks[tool.end] == 'to':
            inner = parse_clause(lex, toks[tool.end + 1:])
            if inner.intent is not None:
                inner.tokens = list(toks)
                inner.params.setdefault('instrument', tool.text)
                inner.confidence = max(0.05, inner.confidence - 0.05)
                return inner
    light = _light_verb(lex, toks, i)
    if light is not None:
        return light
    vi, vlen, lemma, phrase_intent = _find_verb(lex, toks, i)
    penalty = 0.0
    if vi < 0:
        req = lex.request_wrappers.match(toks, i)
        if req and lex.onto.request_intent:
            obj = parse_noun_phrase(lex, toks, i + req[0])
            if obj is not None:
                clause.intent = lex.onto.request_intent
                clause.indirect = True
                clause.params['target'] = obj.text
                clause.params['recipient'] = 'me'
                clause.target_np = obj
                if obj.colours:
                    clause.params['target_color'] = obj.colours[0]
                if obj.quantity is not None:
                    clause.params['quantity'] = str(obj.quantity)
                clause.confidence = 0.6
                clause.notes.append('indirect request: the object is wanted')
                return clause
    if vi < 0 and i + 1 < n and toks[i] not in lex.subjects and not lex.is_verb(toks[i]) \
            and toks[i] not in lex.preps:
        # A vocative name ("john, can you ...", "michael go to ...").
        k = skip_prefix(lex, toks, i + 1)
        vi, vlen, lemma, phrase_intent = _find_verb(lex, toks, k)
        penalty += 0.1
    if vi < 0:
        clause.statement = i < n and toks[i] in lex.subjects and any(
            t in lex.finite_markers for t in toks[i:])
        return clause
    if vi > i:
        penalty += 0.05
    clause.verb = lemma or ' '.join(toks[vi:vi + vlen])
    clause.verb_index = vi
    spec = lex.verbs.get(lemma) if lemma else None
    intent = phrase_intent if spec is None else spec.intent
    k = vi + vlen
    particle = None
    particles = spec.particles if spec else {}
    # Particle right after the verb ("turn on the tv", "pick up the cup", "turn left").
    if k < n and toks[k] in particles and toks[k] not in ('on', 'off') or \
            k < n and toks[k] in ('on', 'off') and toks[k] in particles and lemma != 'put':
        intent = particles[toks[k]]
        particle = toks[k]
        k += 1
    elif k < n and toks[k] in _VERB_PARTICLES and (
            not lex.preps.match(toks, k) or intent in _TRANSITIVE and role_of(spec) == 'target'
            and parse_noun_phrase(lex, toks, k + 1) is not None):
        particle = toks[k]
        k += 1
    elif k < n and toks[k] in ('up', 'down', 'out', 'back') and spec is not None:
        particle = toks[k]
        k += 1
    params = clause.params
    # Indirect object ("bring me the remote", "find me a cushion").
    if k + 1 < n and toks[k] in lex.indirect_objects:
        nxt = toks[k + 1]
        if nxt not in CLAUSE_PUNCT and not lex.preps.match(toks, k + 1) \
                and nxt not in lex.np_stops and nxt not in lex.particles \
                and not lex.modifiers.match(toks, k + 1):
            params['recipient'] = toks[k]
            k += 1
    if k < n and toks[k] in lex.complementizers:
        k += 1
    k += _degree(toks, k)
    role = spec.object_role if spec else ('destination' if intent == 'navigation' else 'target')
    obj = None
    starts_with_prep = k < n and toks[k] in lex.preps and lex.preps.match(toks, k) is not None
    direction = k < n and toks[k] in lex.directions and not lex.determiners.match(toks, k)
    if not starts_with_prep and not direction:
        obj = parse_noun_phrase(lex, toks, k)
    if obj is None and spec is not None and spec.intransitive and (
            starts_with_prep or direction or k >= n or toks[k] in CLAUSE_PUNCT
            or lex.modifiers.match(toks, k)):
        intent = spec.intransitive
        role = 'destination'
    if obj is not None:
        k = obj.end
    # Particle after the object ("turn the tv on", "throw the can away", "take it out").
    if k < n and obj is not None:
        tok = toks[k]
        nxt = toks[k + 1] if k + 1 < n else ''
        ends = not nxt or nxt in CLAUSE_PUNCT or nxt in lex.np_stops or nxt in lex.fillers \
            or nxt in lex.modifiers and lex.modifiers.match(toks, k + 1) is not None
        if tok in particles and (tok not in ('on', 'off') or ends):
            intent = particles[tok]
            particle = tok
            k += 1
        elif tok in _VERB_PARTICLES and (ends or tok in ('away', 'out', 'up', 'down')):
            particle = tok
            k += 1
    if phrase_intent is not None and obj is not None and not obj.pronoun:
        intent = lex.phrase_object_intents.get(clause.verb, intent)
    # Object class decides for verbs such as "stop the tap" or "attack the stain".
    if spec is not None and spec.object_class_intents and obj is not None:
        cls = _object_class(lex, obj)
        if cls in spec.object_class_intents:
            intent = spec.object_class_intents[cls]
    if intent is None:
        return clause
    # Prepositional phrases and direction words after the object.
    pps = []
    directions = []
    dangling = None
    while k < n:
        tok = toks[k]
        if tok in CLAUSE_PUNCT:
            break
        if tok == 'to' and k + 1 < n and lex.lemma(toks[k + 1]) == toks[k + 1] \
                and not lex.determiners.match(toks, k + 1):
            break  # a purpose clause ("... to water it")
        m = tok in lex.preps and lex.preps.match(toks, k)
        if m:
            prep = ' '.join(toks[k:k + m[0]])
            np = parse_noun_phrase(lex, toks, k + m[0])
            if np is not None:
                pps.append((prep, m[1], np))
                k = np.end
                continue
            k += m[0]
            if k >= n or toks[k] in CLAUSE_PUNCT:
                dangling = prep
            continue
        if tok in lex.directions and not lex.determiners.match(toks, k):
            directions.append(tok)
        k += 1
    # A verb particle closing the clause ("turn the taps in the shower on").
    if obj is not None and dangling in particles and dangling in ('on', 'off'):
        intent = particles[dangling]
        particle = dangling
    if particle == 'out' and intent == 'pick_place':
        directions.append('out')
    _assign(lex, clause, intent, role, obj, pps, directions, spec)
    clause.intent = intent
    clause.particle = particle
    conf = 0.9 - penalty
    if intent in _TRANSITIVE and 'target' not in params:
        conf -= 0.2
        clause.notes.append(f'{intent}: no object found')
    if obj is not None and obj.pronoun:
        conf -= 0.05
    if clause.negated:
        conf -= 0.3
        clause.notes.append('negated command')
    clause.confidence = max(0.05, min(1.0, conf))
    return clause


def _light_verb(lex: Lexicon, toks: list, i: int) -> Optional[Clause]:
    """Read "give the table a wipe" / "have a wander around" as the verb the noun names.

    ``toks[i]`` is a light verb; an article, optional adjectives and a lexicon verb follow,
    either at once ("have a look around") or after the object ("give the floor a quick sweep").
    The clause is re-read in the plain order ("wipe the table", "wander around").
    """
    n = len(toks)
    if i >= n or toks[i] not in lex.light_verbs or 'a' not in toks and 'an' not in toks:
        return None
    for a in range(i + 1, min(n, i + 8)):
        tok = toks[a]
        if tok in CLAUSE_PUNCT or tok in lex.preps and lex.preps.match(toks, a):
            return None
        if tok not in ('a', 'an'):
            continue
        k = a + 1
        while k + 1 < n and toks[k + 1] not in CLAUSE_PUNCT and (
                toks[k] in lex.adjectives or toks[k] in lex.np_sensitive
                or toks[k] in ('good', 'proper', 'thorough', 'little')):
            k += 1
        lemma = lex.lemma(toks[k]) if k < n else None
        spec = lex.verbs.get(lemma) if lemma else None
        if spec is None or spec.intent in (None, 'pick_place') or toks[k] != lemma:
            return None
        plain = [toks[k]] + toks[i + 1:a] + toks[k + 1:]
        clause = parse_clause(lex, plain)
        if clause.intent is None:
            return None
        clause.tokens = list(toks)
        clause.confidence = max(0.05, clause.confidence - 0.05)
        clause.notes.append('light verb: the noun names the task')
        return clause
    return None


def role_of(spec) -> str:
    """Return the slot a verb's direct object fills (``target`` without a verb spec)."""
    return spec.object_role if spec is not None else 'target'


def _object_class(lex: Lexicon, np: NounPhrase) -> Optional[str]:
    text = np.text
    if text in lex.object_class:
        return lex.object_class[text]
    return lex.object_class.get(np.head)


def _assign(lex, clause, intent, role, obj, pps, directions, spec) -> None:
    """Fill the clause's slots from its object, prepositional phrases and directions."""
    params = clause.params
    used = set()
    if obj is not None:
        if role == 'destination' and intent == 'navigation':
            params['destination'] = obj.text
        elif role == 'person' and intent == 'navigation':
            params['target'] = obj.text
        else:
            params['target'] = obj.text
        clause.target_np = obj
    if spec is not None and spec.target_preps and (obj is None or spec.object_is_place):
        # The earliest-listed preposition wins: "look under the bed for my slippers" looks for
        # the slippers, and the bed is where.
        found = [(spec.target_preps.index(prep), idx) for idx, (prep, _, _) in enumerate(pps)
                 if prep in spec.target_preps]
        if found:
            idx = min(found)[1]
            np = pps[idx][2]
            if obj is not None:
                params['location'] = obj.text
            params['target'] = np.text
            clause.target_np = np
            used.add(idx)
    np = clause.target_np
    if np is not None and 'target' in params:
        if np.colours:
            params['target_color'] = np.colours[0]
            clause.colours = list(np.colours)
        if np.quantity is not None:
            params['quantity'] = str(np.quantity)
        if np.adjectives:
            clause.novelty_words = [a for a in np.adjectives if a in lex.novelty_adjectives]
    if pps:
        _assign_pps(lex, params, intent, pps, used)
    if directions:
        if intent in ('navigation', 'pick_place') and 'destination' not in params \
                and directions[0] in ('here', 'home', 'there', 'out'):
            params['destination'] = directions[0]
        elif intent == 'navigation':
            params.setdefault('direction', directions[0])


def _assign_pps(lex, params: dict, intent: str, pps: list, used: set) -> None:
    """Fill source, attribute, recipient, destination and location from the clause's PPs."""
    dest_pps = []
    for i, (prep, role_, np) in enumerate(pps):
        if role_ == 'source' and i not in used and 'source' not in params:
            params['source'] = np.text
        if prep == 'by' and intent == 'sort_objects':
            params['attribute'] = np.text
        elif role_ == 'destination' and i not in used:
            dest_pps.append((i, prep, np))
    if not dest_pps:
        return
    places = []
    for d in dest_pps:
        if d[2].head in lex.persons and d[1] in _DIRECTIONAL:
            params.setdefault('recipient', d[2].text)
        else:
            places.append(d)
    if not places:
        return
    if intent not in ('pick_place', 'navigation'):
        params.setdefault('location', places[0][2].text)
    elif 'destination' in params:
        pass
    elif intent == 'navigation':
        params['destination'] = places[0][2].text
    else:
        chosen = places[-1]
        for d in places:
            if d[1] in _DIRECTIONAL:
                chosen = d
                break
        params['destination'] = chosen[2].text


def target_task(lex: Lexicon, intent: Optional[str], params: dict) -> str:
    """Name the task: ``<prefix>_<slot slug>`` ("clean_area" + "kitchen" -> "clean_kitchen")."""
    if not intent:
        return ''
    spec = lex.onto.intents.get(intent)
    if spec is None:
        return intent
    value = params.get(spec.target_slot) or params.get('target') or params.get('destination')
    if value and value not in lex.pronouns:
        return f'{spec.task_prefix}_{slug(value)}'
    return spec.task_prefix
