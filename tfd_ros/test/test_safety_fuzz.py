"""The policy never raises, whatever the text, and its spans always fit the raw text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from tfd_ros.safety import SafetyPolicy

POLICY = SafetyPolicy.from_file()
WORDS = sorted({w for phrase in POLICY._lexicon.index for w in phrase})
TRICKY = ['\u200b', '\u202e', '\ufeff', '\u00ad', 'а', 'ο', 'Ｋ', '1', '0', '@', '$', '!', '|',
          "'", '.', ',', ' ', '  ', '\n', '\t', 'é', '\u0301', '🔥', '\x00', '\ud7ff']


def _assert_consistent(text, verdict):
    assert verdict.allowed == (not verdict.violations)
    for v in verdict.violations:
        if v.span is not None:
            start, end = v.span
            assert 0 <= start < end <= len(text)
            assert text[start:end] == v.evidence
    assert all(isinstance(r, str) for r in verdict.reasons())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_raises(text):
    _assert_consistent(text, POLICY.check(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(TRICKY)), max_size=40))
def test_lexicon_soup_never_raises(parts):
    text = ' '.join(parts)
    _assert_consistent(text, POLICY.check(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), st.sampled_from(TRICKY))
def test_separators_between_letters_never_raise(words, sep):
    text = sep.join(' '.join(words))
    _assert_consistent(text, POLICY.check(text))


@pytest.mark.parametrize('text', ['', ' ', 'a' * 20000, 'k i l l ' * 2000, '1' * 5000,
                                  '\u200b' * 1000, 'it it it it', 'and and then then'])
def test_degenerate_inputs(text):
    verdict = POLICY.check(text)
    _assert_consistent(text, verdict)


def test_non_string_input_is_coerced_not_raised():
    assert POLICY.check(12345).allowed
    assert POLICY.check(None).allowed
