"""Normalisation: case, Unicode NFKC, quotes, contractions, CamelCase and punctuation."""

from tfd_ros.compiler.morphology import inflections, singular, verb_forms
from tfd_ros.compiler.text import normalise, tokenize, tokens_of


def test_case_and_whitespace():
    assert normalise('  Clean   THE\tKitchen ') == 'clean the kitchen'


def test_nfkc_folds_fullwidth_and_ligatures():
    assert normalise('\uff23\uff4c\uff45\uff41\uff4e the \ufb01le') == 'clean the file'


def test_contractions_with_straight_and_curly_quotes():
    assert normalise("Don't go fast") == 'do not go fast'
    assert normalise('Don\u2019t rush') == 'do not rush'
    assert normalise("I can't, I won't") == 'i can not, i will not'
    assert normalise("I'd like a tea") == 'i would like a tea'
    assert normalise("let's go") == 'let us go'
    assert normalise("it's late") == 'it is late'


def test_detached_contractions_as_in_tokenised_corpora():
    assert normalise("i 'm hungry") == 'i am hungry'
    assert normalise("why do n't you") == 'why do not you'
    assert normalise("let 's go") == 'let us go'


def test_possessive_stays_with_its_noun():
    assert tokens_of("Vittorio's phone") == ["vittorio's", 'phone']


def test_camel_case_object_names_are_split():
    assert normalise('Put the ScrubBrush in the SinkBasin') == \
        'put the scrub brush in the sink basin'
    assert normalise('the TV') == 'the tv'


def test_tokenize_keeps_clause_punctuation_and_drops_other_symbols():
    assert tokenize('wipe the table, then bring me a sponge!') == [
        'wipe', 'the', 'table', ',', 'then', 'bring', 'me', 'a', 'sponge', '!']
    assert tokens_of('grab the t-shirt (blue) & go') == ['grab', 'the', 't-shirt', 'blue', 'go']


def test_empty_and_symbol_only_text():
    assert tokens_of('') == []
    assert tokens_of('!!! ??? ...') == ['!', '!', '!', '?', '?', '?', '.', '.', '.']


def test_verb_inflections():
    assert {'stops', 'stopping', 'stopped'} <= inflections('stop')
    assert {'places', 'placing', 'placed'} <= inflections('place')
    assert {'carries', 'carried', 'carrying'} <= inflections('carry')
    assert {'washes', 'washing', 'washed'} <= inflections('wash')
    table = verb_forms(['bring', 'put'], {'brought': 'bring', 'putting': 'put', 'went': 'go'})
    assert table['brought'] == 'bring' and table['putting'] == 'put'
    assert 'went' not in table


def test_singular():
    assert singular('boxes') == 'box'
    assert singular('knives') == 'knife'
    assert singular('batteries') == 'battery'
    assert singular('latches') == 'latch'
    assert singular('glass') == 'glass'
    assert singular('blocks') == 'block'
