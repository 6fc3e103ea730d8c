"""Compiled word classes: inflection, a phrase index and longest-match tagging."""

from types import MappingProxyType

_VOWELS = frozenset('aeiou')
_SIBILANT_ENDS = ('s', 'sh', 'ch', 'x', 'z', 'o')
PREP = '_prep:'  # grammar pseudo-classes of prepositions: PREP + the role they open


def verb_forms(word: str) -> set:
    """Regular inflections of an English verb (over-generation is harmless here)."""
    forms = {word, word + 's', word + 'ed', word + 'ing'}
    if word.endswith('e'):
        forms |= {word + 'd', word[:-1] + 'ing'}
    if word.endswith('y') and len(word) > 2 and word[-2] not in _VOWELS:
        forms |= {word[:-1] + 'ies', word[:-1] + 'ied'}
    if word.endswith(_SIBILANT_ENDS):
        forms.add(word + 'es')
    if (len(word) >= 3 and word[-1] not in _VOWELS and word[-1] not in 'wxy'
            and word[-2] in _VOWELS and word[-3] not in _VOWELS):
        forms |= {word + word[-1] + 'ed', word + word[-1] + 'ing'}
    return forms


def noun_forms(word: str) -> set:
    """Singular and plural of an English noun."""
    forms = {word, word + 's'}
    if word.endswith(_SIBILANT_ENDS):
        forms.add(word + 'es')
    if word.endswith('y') and len(word) > 2 and word[-2] not in _VOWELS:
        forms.add(word[:-1] + 'ies')
    if word.endswith('fe'):
        forms.add(word[:-2] + 'ves')
    elif word.endswith('f'):
        forms.add(word[:-1] + 'ves')
    return forms


def phrase_forms(term: str, kind: str) -> set:
    """All surface forms of a term: verbs inflect the first word, nouns the last."""
    words = term.split()
    if kind == 'verb':
        return {' '.join([f] + words[1:]) for f in verb_forms(words[0])}
    if kind == 'noun':
        return {' '.join(words[:-1] + [f]) for f in noun_forms(words[-1])}
    return {term}


def _closure(lexicon) -> dict:
    """Map class -> set of classes whose terms it includes (itself included)."""
    members = {name: {name} for name in lexicon}
    changed = True
    while changed:
        changed = False
        for name, entry in lexicon.items():
            for inc in entry.include:
                before = len(members[name])
                members[name] |= members.get(inc, {inc})
                changed |= len(members[name]) != before
    return members


def _kind(classes: frozenset, verb_classes: frozenset) -> tuple:
    """Describe a tagged unit by its class set: ``(is_verb, prep_role, real)``.

    Whether a verb class is among ``classes``, the role a preposition class opens (or
    None) and the classes that are not grammar pseudo-classes (``_...``), in set order.
    """
    prep_role = next((c[len(PREP):] for c in classes if c.startswith(PREP)), None)
    real = tuple(c for c in classes if c[0] != '_')
    return (not classes.isdisjoint(verb_classes), prep_role, real)


class _Kinds(dict):
    """Class set -> ``_kind``; a set the lexicon never tags is described on the fly."""

    __slots__ = ('_verb_classes',)

    def __init__(self, class_sets, verb_classes):
        super().__init__((c, _kind(c, verb_classes)) for c in class_sets)
        self._verb_classes = verb_classes

    def __missing__(self, classes):
        return _kind(classes, self._verb_classes)


class CompiledLexicon:
    """Phrase index over all classes; tags token sequences by longest match."""

    def __init__(self, lexicon, extra_words=()):
        members = _closure(lexicon)
        # term -> classes it belongs to directly
        direct = {}
        for name, entry in lexicon.items():
            for term in entry.terms:
                for form in phrase_forms(term, entry.kind):
                    direct.setdefault(tuple(form.split()), set()).add(name)
        index = {}
        shared = {}  # one frozenset object per distinct class set
        for phrase, classes in direct.items():
            full = set(classes)
            for name, inc in members.items():
                if inc & classes:
                    full.add(name)
            full = frozenset(full)
            index[phrase] = shared.setdefault(full, full)
        self._index = index
        self.index = MappingProxyType(index)
        self.max_len = max((len(p) for p in index), default=1)
        vocab = {w for phrase in index for w in phrase}
        vocab.update(extra_words)
        self.vocabulary = frozenset(vocab)
        self.verb_classes = frozenset(n for n, e in lexicon.items() if e.kind == 'verb')
        # one-word phrases by word, and every head (2 words or more) of a longer phrase
        self._words = {phrase[0]: classes for phrase, classes in index.items()
                       if len(phrase) == 1}
        self._heads = frozenset(phrase[:k] for phrase in index for k in range(2, len(phrase) + 1))
        self._openers = frozenset(phrase[0] for phrase in index if len(phrase) > 1)
        self._prepositions = frozenset(
            phrase[0] for phrase, classes in index.items()
            if len(phrase) == 1 and any(c.startswith(PREP) for c in classes))
        self.kinds = MappingProxyType(_Kinds(list(shared) + [frozenset()], self.verb_classes))

    def tag(self, words):
        """Longest-match tagging: list of (start, end, classes) over a word tuple."""
        matches = []
        i = 0
        n = len(words)
        one_word = self._words
        openers = self._openers
        while i < n:
            word = words[i]
            classes = one_word.get(word)
            found = (i, i + 1, classes) if classes else None
            if word in openers:
                found = self._extend(words, found, i, n)
            if found is None:
                i += 1
                continue
            if found[1] - i > 1 and word in self._prepositions:
                found = self._yield_to_compound(words, found)
            if found:
                matches.append(found)
                i = found[1]
            else:
                i += 1
        return matches

    def _extend(self, words, found, i, n):
        """Return the longest phrase of two words or more at ``words[i]``, else ``found``."""
        heads = self._heads
        index = self._index
        for end in range(i + 2, n + 1):
            phrase = tuple(words[i:end])
            if phrase not in heads:
                break
            classes = index.get(phrase)
            if classes:
                found = (i, end, classes)
        return found

    def _yield_to_compound(self, words, found):
        """Shorten a phrase that opens with a preposition when a longer word overlaps it.

        "into the water" must not swallow the "water" of "into the water bottle": when a
        phrase starting inside the match runs past its end, the longest shorter match wins.
        """
        i, end, _ = found
        index = self._index
        n = len(words)
        for k in range(i + 1, end):
            if any(index.get(tuple(words[k:k + length]))
                   for length in range(end - k + 1, min(self.max_len, n - k) + 1)):
                for length in range(k - i, 0, -1):
                    classes = index.get(tuple(words[i:i + length]))
                    if classes:
                        return (i, i + length, classes)
                return None
        return found

    def classes_of(self, words) -> frozenset:
        """Union of the classes found in a word sequence."""
        out = set()
        for _, _, classes in self.tag(words):
            out |= classes
        return frozenset(out)
