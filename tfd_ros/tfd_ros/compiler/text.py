"""Text normalisation and tokenisation for the heuristic compiler.

``normalise`` folds Unicode (NFKC), case, typographic quotes and dashes, expands English
contractions ("don't" -> "do not", "I'd" -> "i would", "let's" -> "let us") and collapses white
space. ``tokenize`` splits the result into word tokens and the clause punctuation ``, ; . ! ?``.
"""

from functools import lru_cache
from itertools import chain
import re
import unicodedata

# Typographic characters mapped to ASCII before matching.
_CHAR_MAP = str.maketrans({
    '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '`': "'",
    '\u00b4': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2013': '-', '\u2014': '-',
    '\u2212': '-', '\u00a0': ' ', '\u2026': '.',
})
# The ASCII characters among them (a pattern that never matches when there are none).
_ASCII_MAPPED = re.compile('|'.join(re.escape(chr(c)) for c in _CHAR_MAP if c < 128) or '(?!)')

# Whole-word contractions whose expansion is not a simple suffix rule.
_WORD_CONTRACTIONS = {
    "can't": 'can not', 'cant': 'can not', 'cannot': 'can not', "won't": 'will not',
    'wont': 'will not', "shan't": 'shall not', "ain't": 'is not', "let's": 'let us',
    'lets': 'let us', "let 's": 'let us', 'dont': 'do not', 'doesnt': 'does not',
    'didnt': 'did not', 'isnt': 'is not', 'arent': 'are not', 'wasnt': 'was not',
    'werent': 'were not', 'havent': 'have not', 'hasnt': 'has not', 'shouldnt': 'should not',
    'wouldnt': 'would not', 'couldnt': 'could not', 'im': 'i am', "y'all": 'you all',
    'gonna': 'going to', 'wanna': 'want to', 'gotta': 'got to', 'pls': 'please',
    'plz': 'please', 'thx': 'thanks', "o'clock": 'oclock',
}

# Suffix contractions: "n't", "'re", "'ll", "'ve", "'m", "'d"; "'s" after pronouns is "is".
_SUFFIXES = (
    ("n't", ' not'), ("'re", ' are'), ("'ll", ' will'), ("'ve", ' have'), ("'m", ' am'),
    ("'d", ' would'),
)
_IS_PRONOUNS = frozenset({
    'it', 'that', 'there', 'here', 'what', 'who', 'where', 'he', 'she', 'this', 'how',
    'everything', 'nothing', 'something'})

# CamelCase object names from simulators ("SinkBasin" -> "sink basin").
_CAMEL = re.compile(r'([a-z])([A-Z][a-z])')
# Separate quote-led contraction tokens written with a space ("i 'm", "let 's").
_DETACHED = re.compile(r"(\w) '(s|m|re|ll|ve|d)\b")
_DETACHED_NOT = re.compile(r"(\w) n't\b")
_TOKEN = re.compile(r"[^\W_]+(?:['\-.][^\W_]+)*|[,;.!?]")
CLAUSE_PUNCT = frozenset({',', ';', '.', '!', '?'})


def normalise(text: str) -> str:
    """Return ``text`` folded (NFKC, lower case, ASCII quotes) with contractions expanded."""
    return ' '.join(map(_expand, _folded_words(text)))


def _folded_words(text: str) -> list:
    """Return the white-space separated words of ``text`` folded, before contraction expansion."""
    if not isinstance(text, str):
        text = str(text)
    if not text.isascii():
        text = unicodedata.normalize('NFKC', text).translate(_CHAR_MAP)
    elif _ASCII_MAPPED.search(text):  # ASCII text is NFKC-stable
        text = text.translate(_CHAR_MAP)
    if _CAMEL.search(text):
        text = _CAMEL.sub(r'\1 \2', text)
    text = text.lower()
    if " '" in text:
        text = _DETACHED.sub(r"\1'\2", text)
    if " n't" in text:
        text = _DETACHED_NOT.sub(r"\1n't", text)
    # ``str.split`` and ``\s`` agree on what white space is.
    return text.split()


@lru_cache(maxsize=8192)
def _expand(word: str) -> str:
    core = word.strip('"()[]{}<>*')
    lead = word[:len(word) - len(word.lstrip('"()[]{}<>*'))]
    tail = core
    trail = ''
    while tail and tail[-1] in ',;.!?:"\')]}':
        trail = tail[-1] + trail
        tail = tail[:-1]
    if not tail:
        return word
    low = tail
    if low in _WORD_CONTRACTIONS:
        return lead + _WORD_CONTRACTIONS[low] + trail
    for suffix, replacement in _SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            stem = low[:-len(suffix)]
            if suffix == "n't" and stem == 'ca':
                stem = 'can'
            return lead + stem + replacement + trail
    if low.endswith("'s") and low[:-2] in _IS_PRONOUNS:
        return lead + low[:-2] + ' is' + trail
    return word


def tokenize(normalised: str) -> list:
    """Split normalised text into words (letters/digits, inner ' - .) and clause punctuation."""
    return _TOKEN.findall(normalised)


def tokens_of(text: str) -> list:
    """Normalise and tokenise in one step (``tokenize(normalise(text))``).

    No token spans white space, so the words are expanded and tokenised one by one.
    """
    return list(chain.from_iterable(map(_word_tokens, _folded_words(text))))


@lru_cache(maxsize=8192)
def _word_tokens(word: str) -> tuple:
    """Return the tokens of one folded word after contraction expansion."""
    return tuple(_TOKEN.findall(_expand(word)))
