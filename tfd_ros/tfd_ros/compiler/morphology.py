"""English inflection for lexicon look-up: verb forms (-s, -ing, -ed) and noun plurals.

Lemmas come from the ontology; the compiler precomputes every inflected form of every verb
lemma once (``verb_forms``), so a look-up at compile time is one dictionary access.
"""

_VOWELS = frozenset('aeiou')


def _doubles_final(lemma: str) -> bool:
    """Whether the final consonant doubles before -ing/-ed (stop -> stopping, mop -> mopped)."""
    return (len(lemma) >= 3 and lemma[-1] not in _VOWELS and lemma[-1] not in 'wxy'
            and lemma[-2] in _VOWELS and lemma[-3] not in _VOWELS)


def inflections(lemma: str) -> set:
    """Return the regular inflected forms of a verb lemma (including the lemma itself)."""
    forms = {lemma}
    if ' ' in lemma:
        return forms
    if lemma.endswith(('s', 'x', 'z', 'ch', 'sh', 'o')):
        forms.add(lemma + 'es')
    elif lemma.endswith('y') and len(lemma) > 1 and lemma[-2] not in _VOWELS:
        forms.add(lemma[:-1] + 'ies')
    else:
        forms.add(lemma + 's')
    if lemma.endswith('ie'):
        forms.add(lemma[:-2] + 'ying')
    elif lemma.endswith('e') and not lemma.endswith(('ee', 'ye', 'oe')):
        forms.add(lemma[:-1] + 'ing')
    else:
        forms.add(lemma + 'ing')
    if lemma.endswith('e'):
        forms.add(lemma + 'd')
    elif lemma.endswith('y') and len(lemma) > 1 and lemma[-2] not in _VOWELS:
        forms.add(lemma[:-1] + 'ied')
    else:
        forms.add(lemma + 'ed')
    if _doubles_final(lemma):
        forms.add(lemma + lemma[-1] + 'ing')
        forms.add(lemma + lemma[-1] + 'ed')
    return forms


def verb_forms(lemmas, irregular: dict) -> dict:
    """Map every regular and irregular form of ``lemmas`` to its lemma; lemmas win ties."""
    table = {}
    lemma_set = set(lemmas)
    for lemma in lemmas:
        for form in inflections(lemma):
            table.setdefault(form, lemma)
    for form, lemma in irregular.items():
        if lemma in lemma_set:
            table[form] = lemma
    for lemma in lemmas:
        table[lemma] = lemma
    return table


def singular(noun: str) -> str:
    """Return a best-effort singular of an English noun ("boxes" -> "box", "knives" -> "knife")."""
    if len(noun) <= 3 or not noun.endswith('s') or noun.endswith(('ss', 'us', 'is')):
        return noun
    if noun.endswith('ies') and len(noun) > 4:
        return noun[:-3] + 'y'
    if noun.endswith('ves') and len(noun) > 4:
        stem = noun[:-3]
        return stem + ('fe' if stem.endswith(('kni', 'wi', 'li')) else 'f')
    if noun.endswith(('ches', 'shes', 'xes', 'sses', 'zes', 'oes')):
        return noun[:-2]
    return noun[:-1]
