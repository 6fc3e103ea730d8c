"""Text normalisation for the safety policy, with a map back to the raw text.

The normaliser undoes the usual ways of hiding a word from a matcher: Unicode
compatibility forms (full-width letters, ligatures), zero-width and format
characters, diacritics, Cyrillic and Greek look-alike letters, leetspeak inside
words ("k1ll", "b0mb"), letters spaced out ("k i l l", "k.i.l.l"), stretched
letters ("kiiiill"), words split in two ("fo rk") and CamelCase compounds
("StoveBurner"). Every token keeps the character offsets of the raw text it came
from, so evidence can be quoted from what the operator actually wrote.
"""

from dataclasses import dataclass
from operator import add
import re
from typing import AbstractSet, Optional
import unicodedata

# Cyrillic and Greek letters that look like Latin ones.
HOMOGLYPHS = {
    'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
    'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i',
    'ј': 'j', 'ԁ': 'd', 'ӏ': 'l', 'ɡ': 'g', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ʟ': 'l',
    'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
    'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J',
    'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
    'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ς': 's', 'η': 'n', 'γ': 'y',
    'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M',
    'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
}

# Leetspeak digits and symbols, used only inside tokens that also contain letters.
LEET = {'0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's',
        '!': 'i', '|': 'l', '8': 'b'}
LEET_ONE = ('i', 'l')  # '1' is either; the reading found in the vocabulary wins
SYMBOL_LETTERS = frozenset('@$')
INNER_SYMBOLS = frozenset('!|')
APOSTROPHES = frozenset("'’`´")
HARD_BREAKS = frozenset('.;!?\n\r')
SOFT_BREAKS = frozenset(',:()[]{}"“”')
SPREAD_SEPARATORS = frozenset(' .-_*·,/\\+~')
_STRETCH = re.compile(r'([a-z])\1{2,}')
# Text made only of these characters needs no cleaning, and ``_split_plain`` splits it.
_NOT_PLAIN = re.compile(r'[^\x00-\x7f’“”]')
# A word: runs of letters, digits, '@' and '$', joined by '!' or '|' between two letters
# ("k!ll") or by an apostrophe before a letter ("don't"); anything else lies between words.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9@$]+(?:(?:(?<=[A-Za-z])[!|]|['`’])(?=[A-Za-z])"
                         r'[A-Za-z0-9@$]+)*')
_PLAIN_GAP_WORD = re.compile('([^A-Za-z0-9@$]*)(' + _PLAIN_WORD.pattern + ')')
_PLAIN_CAMEL = re.compile(r'(?<=[a-z])[A-Z](?=[a-z])')
_HAS_CAMEL = re.compile('[a-z][A-Z][a-z]')
_NO_APOSTROPHES = str.maketrans('', '', "'`’")
_NO_BREAKS = (False, False)


@dataclass(frozen=True)
class Token:
    """One normalised word and the raw text span it came from."""

    text: str
    start: int
    end: int
    hard_break: bool = False  # a sentence break (. ; ! ? newline) precedes the token
    soft_break: bool = False  # a comma or similar precedes the token


@dataclass(frozen=True)
class NormalizedText:
    """Raw text, its normalised tokens and the normalised text they spell."""

    raw: str
    tokens: tuple

    @property
    def text(self) -> str:
        """Return the normalised words joined by single spaces."""
        return ' '.join(t.text for t in self.tokens)

    def raw_span(self, first: int, last: int) -> tuple:
        """Raw character span covering tokens ``first`` to ``last`` (inclusive)."""
        return (self.tokens[first].start, self.tokens[last].end)


def _clean_chars(raw: str):
    """Yield (char, raw_index) after NFKC, format-char removal, diacritics and homoglyphs."""
    for index, ch in enumerate(raw):
        if ch in HOMOGLYPHS:
            yield HOMOGLYPHS[ch], index
            continue
        category = unicodedata.category(ch)
        if category == 'Cf' or category == 'Mn' or category == 'Me':
            continue  # zero-width, bidi controls, soft hyphen, combining marks
        if ch.isascii():
            yield ch, index
            continue
        folded = unicodedata.normalize('NFKC', ch)
        for part in unicodedata.normalize('NFKD', folded):
            if unicodedata.category(part) in ('Mn', 'Me', 'Cf'):
                continue
            yield HOMOGLYPHS.get(part, part), index


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in SYMBOL_LETTERS


def _split_words(chars):
    """Group cleaned characters into words; returns [(text, start, end, hard, soft)].

    ``start`` and ``end`` delimit the raw characters the word came from.
    """
    words = []
    current, indices = [], []
    hard = soft = False
    pending_hard = pending_soft = False
    n = len(chars)
    for pos, (ch, raw_index) in enumerate(chars):
        prev_ch = chars[pos - 1][0] if pos > 0 else ''
        next_ch = chars[pos + 1][0] if pos + 1 < n else ''
        if ch in APOSTROPHES and current and next_ch.isalpha():
            continue  # don't -> dont, it's -> its
        inner = ch in INNER_SYMBOLS and prev_ch.isalpha() and next_ch.isalpha()
        camel = ch.isupper() and prev_ch.islower() and next_ch.islower() and current
        if _is_word_char(ch) or inner:
            if camel:
                words.append((''.join(current), indices[0], indices[-1] + 1, hard, soft))
                current, indices = [], []
                hard = soft = False
            if not current:
                hard, soft = pending_hard, pending_soft
                pending_hard = pending_soft = False
            current.append(ch)
            indices.append(raw_index)
            continue
        if current:
            words.append((''.join(current), indices[0], indices[-1] + 1, hard, soft))
            current, indices = [], []
        if ch in HARD_BREAKS:
            pending_hard = True
        elif ch in SOFT_BREAKS:
            pending_soft = True
    if current:
        words.append((''.join(current), indices[0], indices[-1] + 1, hard, soft))
    return words


def _split_plain(raw: str):
    """``_split_words`` (then lower-cased) for ASCII text with typographic quotes, by regex.

    Such text is its own cleaned form (raw index = string index), and the word rules of
    ``_split_words`` reduce to the character classes of ``_PLAIN_WORD``.
    """
    camel = _HAS_CAMEL.search(raw) is not None
    source = raw if camel else raw.lower()
    apostrophes = "'" in raw or '`' in raw or '’' in raw
    if not camel and not apostrophes:
        return _plain_words(source)
    words = []
    end = 0
    for gap, text in _PLAIN_GAP_WORD.findall(source):
        start = end + len(gap)
        end = start + len(text)
        flags = (False, False) if gap == ' ' else _gap_breaks(gap)
        if camel:
            cuts = [] if text.islower() else [m.start() for m in _PLAIN_CAMEL.finditer(text)]
            if cuts:
                _add_camel_pieces(words, text, start, cuts, flags)
                continue
            text = text.lower()
        if apostrophes:
            text = text.translate(_NO_APOSTROPHES)
        words.append((text, start, end) + flags)
    return words


def _plain_words(source: str) -> list:
    """``_split_plain`` of lower-case text without CamelCase or apostrophes (the usual case)."""
    words = []
    append = words.append
    end = 0
    for gap, text in _PLAIN_GAP_WORD.findall(source):
        start = end + len(gap)
        end = start + len(text)
        if gap == ' ':
            append((text, start, end, False, False))
        else:
            append((text, start, end) + _gap_breaks(gap))
    return words


def _add_camel_pieces(words, text, start, cuts, flags) -> None:
    """Append the lower-cased pieces of a CamelCase word; only the first keeps ``flags``."""
    bounds = [0] + cuts + [len(text)]
    for k in range(len(bounds) - 1):
        piece = text[bounds[k]:bounds[k + 1]].translate(_NO_APOSTROPHES).lower()
        words.append((piece, start + bounds[k], start + bounds[k + 1])
                     + (flags if k == 0 else (False, False)))


def _gap_breaks(gap: str) -> tuple:
    """Break flags ``(hard, soft)`` that the characters between two words set."""
    if gap == ' ' or not gap:
        return _NO_BREAKS
    return (not HARD_BREAKS.isdisjoint(gap), not SOFT_BREAKS.isdisjoint(gap))


def _deleet(word: str, vocabulary: AbstractSet[str]) -> str:
    if word.isalpha() or word.isdigit() or not any(c.isalpha() for c in word):
        return word
    if not any(c in LEET or c == '1' for c in word):
        return word
    base = ''.join(LEET.get(c, c) for c in word)
    ones = base.count('1')
    if ones == 0:
        return base
    if ones <= 4:
        for mask in range(2 ** ones):
            out, k = [], 0
            for c in base:
                if c == '1':
                    out.append(LEET_ONE[(mask >> k) & 1])
                    k += 1
                else:
                    out.append(c)
            candidate = ''.join(out)
            if candidate in vocabulary:
                return candidate
    return base.replace('1', 'i')


def _unstretch(word: str, vocabulary: AbstractSet[str]) -> str:
    if not _STRETCH.search(word) or word in vocabulary:
        return word
    double = _STRETCH.sub(r'\1\1', word)
    if double in vocabulary:
        return double
    single = _STRETCH.sub(r'\1', word)
    if single in vocabulary:
        return single
    return double


def _join_spread_letters(words, raw: str, vocabulary: AbstractSet[str]):
    """Join runs of single letters ("k i l l", "k.i.l.l") into one word."""
    if len([w for w in words if len(w[0]) == 1]) < 3:
        return words  # no run to join
    out = []
    i = 0
    n = len(words)
    while i < n:
        j = i
        while (j < n and len(words[j][0]) == 1 and words[j][0].isalpha()
               and (j == i or _spread_gap(raw, words[j - 1][2], words[j][1]))):
            j += 1
        if j - i >= 3:
            run = words[i:j]
            joined = ''.join(w[0] for w in run)
            pieces = [joined] if joined in vocabulary else _word_break(joined, vocabulary)
            if not pieces:
                pieces = [joined]
            pos = 0
            for k, piece in enumerate(pieces):
                part = run[pos:pos + len(piece)]
                pos += len(piece)
                hard, soft = (part[0][3], part[0][4]) if k == 0 else (False, False)
                out.append((piece, part[0][1], part[-1][2], hard, soft))
            i = j
        else:
            out.append(words[i])
            i += 1
    return out


def _join_split_words(words, raw: str, vocabulary: AbstractSet[str]):
    """Join a word split in two ("fo rk", "pu t") when neither half is a known word."""
    if vocabulary.isdisjoint([a[0] + b[0] for a, b in zip(words, words[1:])]):
        return words  # no two neighbours spell a known word
    out = []
    i = 0
    n = len(words)
    while i < n:
        left = words[i]
        if i + 1 < n:
            right = words[i + 1]
            if (not right[3] and not right[4] and left[0] not in vocabulary
                    and right[0] not in vocabulary and left[0].isalpha()
                    and right[0].isalpha() and left[0] + right[0] in vocabulary
                    and _spread_gap(raw, left[2], right[1])):
                out.append((left[0] + right[0], left[1], right[2], left[3], left[4]))
                i += 2
                continue
        out.append(left)
        i += 1
    return out


def _word_break(joined: str, vocabulary: AbstractSet[str]) -> list:
    """Split letters run together ("ignoreallrules") into known words, fewest pieces first."""
    n = len(joined)
    if n > 64:
        return []
    best = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 20), end):
            if best[start] is None:
                continue
            piece = joined[start:end]
            if piece in vocabulary or (len(piece) == 1 and piece in 'ai'):
                candidate = best[start] + [piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[n] or []


def _spread_gap(raw: str, end: int, start: int) -> bool:
    gap = raw[end:start]
    return 0 < len(gap) <= 2 and all(c in SPREAD_SEPARATORS for c in gap)


def tokenize(raw: str, vocabulary: AbstractSet[str]) -> list:
    """Normalise ``raw`` into plain ``(text, start, end, hard_break, soft_break)`` tuples."""
    if _NOT_PLAIN.search(raw) is None:
        words = _split_plain(raw)
    else:
        words = [(w[0].lower(),) + w[1:] for w in _split_words(list(_clean_chars(raw)))]
    texts = [w[0] for w in words]
    if list(map(len, texts)).count(1) >= 3:  # maybe a run of single letters to join
        words = _join_spread_letters(words, raw, vocabulary)
        texts = [w[0] for w in words]
    if not vocabulary.isdisjoint(map(add, texts, texts[1:])):  # two neighbours spell a word
        words = _join_split_words(words, raw, vocabulary)
        texts = [w[0] for w in words]
    joined = ' '.join(texts)
    stretched = _STRETCH.search(joined) is not None
    if not stretched and joined.replace(' ', '').isalpha():
        return words  # plain words: nothing to de-leet, unstretch or strip
    tokens = []
    for word, start, end, hard, soft in words:
        if word.isalpha():  # nothing to de-leet; only a stretched word changes
            text = _unstretch(word, vocabulary) if stretched else word
        else:
            text = _unstretch(_deleet(word, vocabulary), vocabulary)
            if not text.isalnum():
                text = ''.join(c for c in text if c.isalnum())
                if not text:
                    continue
        tokens.append((text, start, end, hard, soft))
    return tokens


def normalize(raw: str, vocabulary: Optional[AbstractSet[str]] = None) -> NormalizedText:
    """Normalise ``raw`` into lower-case tokens mapped back onto raw character spans."""
    if not isinstance(raw, str):
        raw = str(raw)
    tokens = tokenize(raw, vocabulary or frozenset())
    return NormalizedText(raw, tuple(Token(*token) for token in tokens))
