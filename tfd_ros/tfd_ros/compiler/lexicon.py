"""Look-up tables precomputed once from the ontology (no YAML or list scans per compile)."""

from typing import Optional

from tfd_ros.compiler.morphology import singular, verb_forms
from tfd_ros.compiler.text import CLAUSE_PUNCT
from tfd_ros.ontology import Ontology

_VALUE = None  # the key of a phrase's value in a trie node (every other key is a token)


class PhraseTable(dict):
    """Multi-word phrases indexed by first token; ``match`` returns the longest phrase.

    The table is a token trie: a ``dict`` from first token to a node, a node a ``dict`` from the
    next token to the next node, and ``node[_VALUE]`` the value of the phrase that ends there
    (the earliest entry of a repeated phrase wins). ``word in table`` (is ``word`` the first
    token of a phrase) is one hash look-up; ``match`` stops at the first token no phrase has.
    """

    def __init__(self, entries):
        super().__init__()
        for words, value in entries:
            key = tuple(words.split()) if isinstance(words, str) else tuple(words)
            if not key:
                continue
            node = self
            for token in key:
                node = node.setdefault(token, {})
            node.setdefault(_VALUE, value)
        # First words that are a whole phrase on their own (``match([word], 0)`` is not None).
        self.singles = frozenset(first for first, node in self.items() if _VALUE in node)

    def match(self, tokens, i: int) -> Optional[tuple]:
        """Return ``(length, value)`` of the longest phrase starting at ``tokens[i]``."""
        n = len(tokens)
        if i >= n:
            return None
        node = self.get(tokens[i])
        found = None
        j = i + 1
        while node is not None:
            if _VALUE in node:
                found = (j - i, node[_VALUE])
            if j >= n:
                break
            node = node.get(tokens[j])
            j += 1
        return found


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
        # Each modifier group's effects without the unset ones (read-only).
        self.modifier_effects = {name: group.effects.model_dump(exclude_none=True)
                                 for name, group in onto.modifiers.items()}
        self.np_sensitive = frozenset(onto.np_sensitive_modifiers)
        self.negation_cues = frozenset(onto.negation.cues)
        self.negated_phrases = PhraseTable((p, True) for p in onto.negation.negated_phrases)
        # Tokens the manner scan stops at: punctuation, negation and manner words.
        self.manner_scan = frozenset(CLAUSE_PUNCT | self.negation_cues
                                     | self.negated_phrases.keys() | self.modifiers.keys())
        self.care_cues = PhraseTable((c, True) for c in onto.scoped_care.cues)
        self.energy_nouns = frozenset(onto.energy.nouns)
        self.energy_disregard = PhraseTable((d, True) for d in onto.energy.disregard)
        self.energy_phrases = PhraseTable((p, True) for p in onto.energy.phrases)
        self.frontier = PhraseTable((p, True) for p in onto.frontier.phrases)
        self.novelty_adjectives = frozenset(onto.novelty_adjectives)
        self.exclusion = PhraseTable((c, True) for c in onto.exclusion.cues)
        self.word_classes = {name: frozenset(words) for name, words in onto.word_classes.items()}
        self.composite_rules = list(onto.composite_intents.rules)
        # The rules by number of steps (in file order), each with every intent its steps accept.
        self.composite_by_length = {}
        for rule in self.composite_rules:
            intents = frozenset(intent for step in rule.steps for intent in step.intents)
            self.composite_by_length.setdefault(len(rule.steps), []).append((rule, intents))
        self.transit_intents = frozenset(onto.composite_intents.transit_intents)
        self.instruments = {}
        for intent, spec in onto.intents.items():
            for tool in spec.instruments:
                self.instruments[tool] = intent
        # Words that can open a verb phrase: verb forms and first words of phrases.
        self.stop_words_np = (self.np_stops | self.negation_cues)
        # Words the modifier analysis starts from (energy, care, curriculum, exclusion, manner).
        self.analysis_words = frozenset(
            self.energy_phrases.keys() | self.energy_nouns | self.care_cues.keys()
            | self.frontier.keys() | self.exclusion.keys() | self.modifiers.keys()
            | self.negated_phrases.keys())
        # Tokens at which a clause may start: punctuation, connectives, clause openers and the
        # base form of a command verb.
        self.boundary_scan = frozenset(
            CLAUSE_PUNCT | self.connectives.keys() | self.clause_openers.keys()
            | {w for w in list(self.verbs) + list(self.serial_verbs) if self.lemma(w) == w})
        # Tokens at which a noun phrase may stop (every other token just extends it).
        self.np_scan = frozenset(CLAUSE_PUNCT | self.np_stops | self.negation_cues
                                 | self.particles | self.indirect_objects | self.directions
                                 | self.preps.keys() | self.modifiers.keys()
                                 | self.verbs.keys())

    def correct(self, tokens: list) -> list:
        """Return ``tokens`` with the ontology's common misspellings replaced."""
        if self.spelling.keys().isdisjoint(tokens):
            return tokens
        out = []
        i = 0
        n = len(tokens)
        while i < n:
            m = tokens[i] in self.spelling and self.spelling.match(tokens, i)
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
