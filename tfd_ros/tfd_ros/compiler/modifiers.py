"""Manner modifiers, their negation scope, scoped care, energy, curriculum and exclusions.

The analysis runs once over the whole instruction. Matching consumes tokens, in this order:
energy phrases, scoped care ("careful with the vase" constrains the vase only), curriculum
phrases, exclusions ("ignore the red ones"), then manner words with their negation scope
("don't rush" is not fast). What one rule consumed no later rule sees.
"""

from dataclasses import dataclass, field
from typing import Optional

from tfd_ros.compiler.lexicon import Lexicon
from tfd_ros.compiler.text import CLAUSE_PUNCT


@dataclass
class ModifierResult:
    """What the manner analysis found in one instruction."""

    active: list = field(default_factory=list)        # (group, surface, index), text order
    negated: list = field(default_factory=list)       # (group, surface, index)
    care_objects: list = field(default_factory=list)  # nouns to avoid / handle as fragile
    energy_unlimited: bool = False
    frontier: bool = False
    ignore_colours: list = field(default_factory=list)
    exclude_attributes: list = field(default_factory=list)
    consumed: set = field(default_factory=set)
    notes: list = field(default_factory=list)

    def groups(self) -> list:
        """Active modifier groups in text order, without repeats."""
        seen = []
        for group, _, _ in self.active:
            if group not in seen:
                seen.append(group)
        return seen

    @property
    def has_manner(self) -> bool:
        return bool(self.active or self.negated)

    def manner_between(self, start: int, end: int) -> bool:
        """Whether a (possibly negated) manner word lies in ``tokens[start:end]``."""
        return any(start <= i < end for _, _, i in self.active + self.negated)


def _np_head(lex: Lexicon, toks, i: int, limit: int = 6) -> tuple:
    """Return ``(words, end)`` of a short noun phrase at ``toks[i]`` (articles dropped)."""
    n = len(toks)
    j = i
    words = []
    while j < n and len(words) < limit:
        tok = toks[j]
        if tok in CLAUSE_PUNCT:
            break
        det = lex.determiners.match(toks, j)
        if det and not words:
            j += det[0]
            continue
        if words and (tok in lex.np_stops or lex.preps.match(toks, j) or tok in lex.particles
                      or lex.modifiers.match(toks, j)):
            break
        if not words and (lex.preps.match(toks, j) or tok in lex.np_stops):
            break
        words.append(tok)
        j += 1
    while len(words) > 1 and (words[0] in lex.adjectives or words[0] in lex.colours):
        words.pop(0)
    return words, j


def analyse(lex: Lexicon, toks: list) -> ModifierResult:
    """Analyse manner, negation, scoped care, energy, curriculum and exclusions of ``toks``."""
    res = ModifierResult()
    # The words of ``toks`` that some rule below starts with (or, for energy, needs).
    present = lex.analysis_words.intersection(toks)
    if not present:
        return res
    n = len(toks)
    used = res.consumed
    _energy(lex, toks, res, present)
    i = n if lex.care_cues.keys().isdisjoint(present) \
        and lex.frontier.keys().isdisjoint(present) else 0
    while i < n:
        if i in used:
            i += 1
            continue
        tok = toks[i]
        m = tok in lex.care_cues and lex.care_cues.match(toks, i)
        if m:
            words, end = _np_head(lex, toks, i + m[0])
            if words and words[-1] not in lex.pronouns:
                res.care_objects.append(' '.join(words))
                used.update(range(i, end))
                i = end
                continue
        m = tok in lex.frontier and lex.frontier.match(toks, i)
        if m:
            res.frontier = True
            used.update(range(i, i + m[0]))
            i += m[0]
            continue
        i += 1
    _exclusions(lex, toks, res, present)
    _manner(lex, toks, res, present)
    return res


def _energy(lex: Lexicon, toks: list, res: ModifierResult, present: set) -> None:
    n = len(toks)
    phrases = lex.energy_phrases
    if not phrases.keys().isdisjoint(present):
        for i in range(n):
            m = phrases.match(toks, i)
            if m:
                res.energy_unlimited = True
                res.consumed.update(range(i, i + m[0]))
    if lex.energy_nouns.isdisjoint(present):
        return
    # Energy noun and disregard must share a clause; a connective ends one too ("go fast and
    # don't worry about the battery" keeps "fast").
    start = 0
    for end in range(n + 1):
        if end < n and toks[end] not in CLAUSE_PUNCT and toks[end] not in lex.clause_words:
            continue
        clause = range(start, end)
        if any(toks[k] in lex.energy_nouns for k in clause):
            for k in clause:
                m = lex.energy_disregard.match(toks, k)
                if m and k + m[0] <= end:
                    res.energy_unlimited = True
                    res.consumed.update(clause)
                    break
        start = end + 1


def _exclusions(lex: Lexicon, toks: list, res: ModifierResult, present: set) -> None:
    n = len(toks)
    scope = lex.onto.exclusion.scope
    i = n if lex.exclusion.keys().isdisjoint(present) else 0
    while i < n:
        m = None if i in res.consumed or toks[i] not in lex.exclusion \
            else lex.exclusion.match(toks, i)
        if not m:
            i += 1
            continue
        cue = ' '.join(toks[i:i + m[0]])
        j = i + m[0]
        hit = None
        for k in range(j, min(n, j + scope + 1)):
            tok = toks[k]
            if tok in CLAUSE_PUNCT or (k > j and lex.preps.match(toks, k)):
                break
            if tok in lex.colours or tok in lex.attributes:
                nxt = toks[k + 1] if k + 1 < n else ''
                # Verb cues ("leave", "avoid") need "ones" or an empty noun slot after the word.
                if cue in ('leave', 'avoid') and nxt not in ('ones', 'one'):
                    break
                hit = k
                break
            if not lex.determiners.match(toks, k) and tok not in lex.numbers:
                break
        if hit is None:
            i += 1
            continue
        word = toks[hit]
        if word in lex.colours:
            res.ignore_colours.append(lex.colours[word])
        else:
            res.exclude_attributes.append(word)
        end = hit + 1
        if end < n and toks[end] in ('ones', 'one'):
            end += 1
        res.consumed.update(range(i, end))
        i = end


def _manner(lex: Lexicon, toks: list, res: ModifierResult, present: set) -> None:
    if lex.modifiers.keys().isdisjoint(present) \
            and lex.negated_phrases.keys().isdisjoint(present):
        return  # no manner word: negation cues alone record nothing
    scope = lex.onto.negation.scope
    scan = lex.manner_scan
    consumed = res.consumed
    neg_until = -1
    skip_to = 0  # a matched phrase covers the tokens before this index
    for i, tok in enumerate(toks):
        if i < skip_to or tok not in scan:
            continue
        if tok in CLAUSE_PUNCT:
            neg_until = -1
            continue
        if i in consumed:
            continue
        m = tok in lex.negated_phrases and lex.negated_phrases.match(toks, i)
        if m:
            res.negated.append(('fast', ' '.join(toks[i:i + m[0]]), i))
            skip_to = i + m[0]
            continue
        if tok in lex.negation_cues:
            neg_until = i + scope
            continue
        m = tok in lex.modifiers and lex.modifiers.match(toks, i)
        if m and not _inside_noun_phrase(lex, toks, i, m[0]):
            length, group = m
            surface = ' '.join(toks[i:i + length])
            if i <= neg_until:
                res.negated.append((group, surface, i))
                neg_until = -1
            else:
                res.active.append((group, surface, i))
            consumed.update(range(i, i + length))
            skip_to = i + length


def _inside_noun_phrase(lex: Lexicon, toks: list, i: int, length: int) -> bool:
    """Whether a one-word, noun-modifying manner word sits inside a noun phrase."""
    if length != 1 or toks[i] not in lex.np_sensitive:
        return False
    prev = toks[i - 1] if i > 0 else ''
    nxt = toks[i + 1] if i + 1 < len(toks) else ''
    if not nxt or nxt in CLAUSE_PUNCT or nxt in lex.np_stops or lex.preps.match(toks, i + 1):
        return False
    return bool(lex.determiners.match(toks, i - 1)) if prev else False


def manner_effects(lex: Lexicon, res: ModifierResult) -> tuple:
    """Return ``(effects dict, first surface word, conflict flag)`` of the active groups.

    Later mentions override earlier ones ("carefully ... no, quickly"); opposite speeds in one
    instruction are reported as a conflict, which lowers the confidence.
    """
    if not res.active and not res.negated:
        return {}, None, False
    effects = {}
    surface: Optional[str] = None
    speeds = set()
    for group, word, _ in res.active:
        spec = lex.onto.modifiers[group]
        for key, value in lex.modifier_effects[group].items():
            effects[key] = value
            if key == 'speed':
                speeds.add(value)
        if surface is None and spec.effects.speed is not None:
            surface = word
    negated_fast = any(g == 'fast' for g, _, _ in res.negated)
    if negated_fast and effects.get('speed') == 'fast':
        effects.pop('speed')
    if negated_fast and 'speed' not in effects:
        effects['speed'] = lex.onto.negation.negated_speed
    return effects, surface, len(speeds) > 1
