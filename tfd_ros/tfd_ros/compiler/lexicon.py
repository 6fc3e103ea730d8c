"""Look-up tables precomputed once from the ontology (no YAML or list scans per compile)."""

from typing import Optional

from tfd_ros.compiler.morphology import singular, verb_forms
from tfd_ros.ontology import Ontology


class PhraseTable:
    """Multi-word phrases indexed by first token; ``match`` returns the longest phrase."""

    def __init__(self, entries):
        self._by_first = {}
        for words, value in entries:
            key = tuple(words.split()) if isinstance(words, str) else tuple(words)
            if not key:
                continue
            self._by_first.setdefault(key[0], []).append((key, value))
        for items in self._by_first.values():
            items.sort(key=lambda item: -len(item[0]))

    def match(self, tokens, i: int) -> Optional[tuple]:
        """Return ``(length, value)`` of the longest phrase starting at ``tokens[i]``."""
        items = self._by_first.get(tokens[i]) if i < len(tokens) else None
        if not items:
            return None
        n = len(tokens)
        for key, value in items:
            k = len(key)
            if i + k <= n and (k == 1 or tuple(tokens[i:i + k]) == key):
                return k, value
        return None

    def __contains__(self, word) -> bool:
        return word in self._by_first


class Lexicon:
    """Every word table the heuristic compiler consults, built from an ``Ontology``."""

    def __init__(self, onto: Ontology):
        self.onto = onto
        self.verbs = onto.verbs
        self.verb_form = verb_forms(list(onto.verbs) + list(onto.serial_verbs),
                                    onto.irregular_verbs)
        self.phrases = PhraseTable((p.words, p.intent) for p in onto.phrases)
        self.phrase_object_intents = {p.words: p.object_intent for p in onto.phrases
                                      if p.object_intent is not None}
        self.spelling = PhraseTable((wrong, tuple(right.split()))
                                    for wrong, right in onto.spelling.items())
        self.adjustable_motion = frozenset(onto.adjustable_motion_verbs)
        self.light_verbs = frozenset(onto.light_verbs)
        self.wrappers = PhraseTable((w, True) for w in onto.wrappers)
        self.fillers = frozenset(onto.fillers)
        self.request_wrappers = PhraseTable((w, True) for w in onto.request_wrappers)
        self.instrument_verbs = frozenset(onto.instrument_verbs)
        self.serial_verbs = frozenset(onto.serial_verbs)
        self.subjects = frozenset(onto.subjects)
        self.auxiliaries = frozenset(onto.auxiliaries)
        self.finite_markers = frozenset(onto.finite_markers)
        self.determiners = PhraseTable((d, True) for d in onto.determiners)
        self.pronouns = frozenset(onto.pronouns)
        self.persons = frozenset(onto.persons)
        self.indirect_objects = frozenset(onto.indirect_objects)
        self.adjectives = frozenset(onto.adjectives)
        self.attributes = frozenset(onto.attributes)
        self.colours = dict(onto.colours)
        self.numbers = PhraseTable((w, n) for w, n in onto.numbers.items())
        self.particles = frozenset(onto.particles)
        self.directions = frozenset(onto.directions)
        preps = []
        for role in ('destination', 'source', 'path', 'other'):
            for words in getattr(onto.prepositions, role):
                preps.append((words, role))
        self.preps = PhraseTable(preps)
        self.np_stops = frozenset(onto.np_stops)
        self.complementizers = frozenset(onto.complementizers)
        classes = []
        for cls, words in onto.object_classes.items():
            for words_ in words:
                classes.append((words_, cls))
        self.object_class_phrases = PhraseTable(classes)
        self.object_class = {w: cls for w, cls in classes}
        self.connectives = PhraseTable((c, True) for c in onto.connectives)
        self.clause_openers = PhraseTable((c, True) for c in onto.clause_openers)
        # One-word connectives ("and", "then"): they end a clause for clause-local rules.
        self.clause_words = frozenset(c for c in onto.connectives if ' ' not in c)
        mods = []
        for name, group in onto.modifiers.items():
            for w in group.words:
                mods.append((w, name))
            for p in group.phrases:
                mods.append((p, name))
        self.modifiers = PhraseTable(mods)
        self.np_sensitive = frozenset(onto.np_sensitive_modifiers)
        self.negation_cues = frozenset(onto.negation.cues)
        self.negated_phrases = PhraseTable((p, True) for p in onto.negation.negated_phrases)
        self.care_cues = PhraseTable((c, True) for c in onto.scoped_care.cues)
        self.energy_nouns = frozenset(onto.energy.nouns)
        self.energy_disregard = PhraseTable((d, True) for d in onto.energy.disregard)
        self.energy_phrases = PhraseTable((p, True) for p in onto.energy.phrases)
        self.frontier = PhraseTable((p, True) for p in onto.frontier.phrases)
        self.novelty_adjectives = frozenset(onto.novelty_adjectives)
        self.exclusion = PhraseTable((c, True) for c in onto.exclusion.cues)
        self.word_classes = {name: frozenset(words) for name, words in onto.word_classes.items()}
        self.composite_rules = list(onto.composite_intents.rules)
        self.transit_intents = frozenset(onto.composite_intents.transit_intents)
        self.instruments = {}
        for intent, spec in onto.intents.items():
            for tool in spec.instruments:
                self.instruments[tool] = intent
        # Words that can open a verb phrase: verb forms and first words of phrases.
        self.stop_words_np = (self.np_stops | self.negation_cues)

    def correct(self, tokens: list) -> list:
        """Return ``tokens`` with the ontology's common misspellings replaced."""
        if not any(t in self.spelling for t in tokens):
            return tokens
        out = []
        i = 0
        n = len(tokens)
        while i < n:
            m = self.spelling.match(tokens, i)
            if m:
                out.extend(m[1])
                i += m[0]
            else:
                out.append(tokens[i])
                i += 1
        return out

    def in_class(self, name: str, text: Optional[str]) -> bool:
        """Whether ``text`` (a slot value) belongs to the word class ``name``.

        The whole value, any final part of it ("tall floor lamp" -> "floor lamp", "lamp") or the
        singular of its head ("lamps" -> "lamp") may be listed.
        """
        words = self.word_classes.get(name)
        if not words or not text:
            return False
        toks = text.split()
        for k in range(len(toks)):
            if ' '.join(toks[k:]) in words:
                return True
        return singular(toks[-1]) in words

    def transposed_lemma(self, word: str) -> Optional[str]:
        """Return the verb lemma that ``word`` spells with two adjacent letters swapped.

        "opne" -> "open", "pcik" -> "pick". Only words of four letters or more that are not a
        verb form themselves are tried, and only an unambiguous lemma is returned.
        """
        if len(word) < 4 or not word.isalpha() or word in self.verb_form:
            return None
        found = set()
        for k in range(len(word) - 1):
            if word[k] == word[k + 1]:
                continue
            cand = word[:k] + word[k + 1] + word[k] + word[k + 2:]
            lemma = self.verb_form.get(cand)
            if lemma is not None and lemma in self.verbs:
                found.add(lemma)
        return found.pop() if len(found) == 1 else None

    def lemma(self, word: str) -> Optional[str]:
        """Return the verb lemma of ``word`` or ``None`` when it is not a known verb form."""
        return self.verb_form.get(word)

    def is_verb(self, word: str) -> bool:
        return word in self.verb_form
