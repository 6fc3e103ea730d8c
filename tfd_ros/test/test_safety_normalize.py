"""Normalisation of operator text for the safety policy, including evasion tricks."""

import pytest

from tfd_ros.safety.normalize import normalize

VOCAB = frozenset({'kill', 'smash', 'window', 'bomb', 'hit', 'dog', 'ignore', 'all', 'stove',
                   'burner', 'attack', 'shoot', 'hell', 'ill', 'the', 'push'})


def words(text):
    return [t.text for t in normalize(text, VOCAB).tokens]


@pytest.mark.parametrize('raw, expected', [
    ('Kill The DOG', ['kill', 'the', 'dog']),
    ('Ｓｍａｓｈ ｔｈｅ ｗｉｎｄｏｗ', ['smash', 'the', 'window']),  # full-width (NFKC)
    ('sm\u200bash the win\u200ddow', ['smash', 'the', 'window']),  # zero-width characters
    ('ki\u00adll', ['kill']),  # soft hyphen
    ('Ѕmаѕh thе wіndоw', ['smash', 'the', 'window']),  # Cyrillic look-alikes
    ('κill', ['kill']),  # Greek kappa
    ('k1ll', ['kill']),
    ('ki11', ['kill']),  # '1' read as 'l' when that spells a known word
    ('b0mb', ['bomb']),
    ('$m@$h', ['smash']),
    ('@tt@ck', ['attack']),
    ('5h00t', ['shoot']),
    ('k i l l the dog', ['kill', 'the', 'dog']),
    ('k.i.l.l', ['kill']),
    ('s-m-a-s-h', ['smash']),
    ('kiiiiill', ['kill']),
    ('smaaaash!!!', ['smash']),
    ('kïll', ['kill']),  # diacritics
    ('StoveBurner', ['stove', 'burner']),  # CamelCase compounds
    ("don't", ['dont']),
    ('k i l l  t h e  d o g', ['kill', 'the', 'dog']),  # spread words, wider gaps between
    ('killthedog', ['killthedog']),  # only runs of single letters are re-split
    ('sMASH tHE wINDOW', ['smash', 'the', 'window']),  # inverted case is not CamelCase
])
def test_evasion_is_undone(raw, expected):
    assert words(raw) == expected


@pytest.mark.parametrize('raw, expected', [
    ('Grab 2 bottles', ['grab', '2', 'bottles']),
    ('Move 3 boxes to shelf 4 at 10:30', ['move', '3', 'boxes', 'to', 'shelf', '4', 'at',
                                           '10', '30']),
    ('set speed to 0.5', ['set', 'speed', 'to', '0', '5']),
    ('room 101', ['room', '101']),
])
def test_numbers_in_benign_text_are_kept(raw, expected):
    assert words(raw) == expected


def test_spans_point_into_the_raw_text():
    raw = 'Please Ѕmаѕh\u200b the  wіndоw!!'
    norm = normalize(raw, VOCAB)
    texts = [t.text for t in norm.tokens]
    assert texts == ['please', 'smash', 'the', 'window']
    smash = norm.tokens[1]
    assert raw[smash.start:smash.end].replace('\u200b', '') == 'Ѕmаѕh'
    window = norm.tokens[3]
    assert raw[window.start:window.end] == 'wіndоw'
    assert norm.raw_span(1, 3) == (smash.start, window.end)


def test_spread_letters_map_to_their_whole_raw_span():
    raw = 'now k i l l it'
    norm = normalize(raw, VOCAB)
    kill = next(t for t in norm.tokens if t.text == 'kill')
    assert raw[kill.start:kill.end] == 'k i l l'


def test_sentence_and_comma_breaks_are_recorded():
    norm = normalize('Open it, then go. Stop', VOCAB)
    flags = {t.text: (t.hard_break, t.soft_break) for t in norm.tokens}
    assert flags['then'] == (False, True)
    assert flags['stop'] == (True, False)
    assert flags['open'] == (False, False)


@pytest.mark.parametrize('raw', ['', '   ', '!!!', '\u200b\u200b', '...---...'])
def test_empty_or_symbol_only_text_has_no_tokens(raw):
    assert normalize(raw, VOCAB).tokens == ()
