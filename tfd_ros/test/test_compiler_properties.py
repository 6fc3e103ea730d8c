"""Property tests: the heuristic compiler never raises and always returns a valid payload."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfd_ros.compiler import HeuristicCompiler
from tfd_ros.config import TFDConfig
from tfd_ros.payload import TextOpPayload

CONFIG = TFDConfig()
COMPILER = HeuristicCompiler(config=CONFIG)
WORDS = ['pick', 'up', 'the', 'red', 'cup', 'and', 'then', 'go', 'to', 'kitchen', 'not',
         "don't", 'fast', 'carefully', 'careful', 'with', 'vase', 'ignore', 'ones', 'stop',
         'turn', 'on', 'off', 'it', 'two', ',', '.', 'please', 'can', 'you', 'energy',
         'figure', 'out', 'how', 'open', 'latch', 'me', 'bring', 'of', 'water', 'use']


def _valid(payload: TextOpPayload, text: str) -> None:
    assert isinstance(payload, TextOpPayload)
    again = TextOpPayload.from_json(payload.to_json())
    assert again == payload
    assert len(payload.raw_text) <= CONFIG.max_text_length
    assert text.startswith(payload.raw_text)
    if payload.intent is None:
        assert payload.confidence == 0.0
        assert payload.notes
    else:
        assert payload.intent in COMPILER.ontology.intents
        assert 0.0 < payload.confidence <= 1.0
        for step in payload.steps:
            assert step.intent in COMPILER.ontology.intents


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=CONFIG.max_text_length))
def test_arbitrary_unicode_never_raises(text):
    _valid(COMPILER.compile(text), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map(' '.join))
def test_word_salad_from_the_lexicon_never_raises(text):
    _valid(COMPILER.compile(text), text)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=CONFIG.max_text_length + 1, max_size=CONFIG.max_text_length + 200))
def test_over_long_text_is_truncated(text):
    payload = COMPILER.compile(text)
    assert len(payload.raw_text) == CONFIG.max_text_length
    _valid(payload, text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(WORDS), st.sampled_from(WORDS))
def test_deterministic(a, b):
    text = f'{a} the {b}'
    assert COMPILER.compile(text) == COMPILER.compile(text)


def test_non_string_input_is_coerced():
    payload = COMPILER.compile(12345)  # type: ignore[arg-type]
    assert payload.raw_text == '12345'
