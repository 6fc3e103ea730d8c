"""Score a compiler (and optionally a safety policy) on a labelled JSONL file (pure Python).

Each line is ``{"id", "text", "expect", ["source"]}`` as described in the eval README; only the
keys present in ``expect`` are checked. ``target``/``destination`` compare after lower-casing
and dropping articles; ``target_span``/``destination_span`` match when the compiled slot's head
word (its last word) occurs in the annotated span.
"""

import json
from pathlib import Path
from typing import Callable, Iterable, Optional

ARTICLES = frozenset({'the', 'a', 'an', 'my'})
DEFAULT_SOURCE = 'dev'
SAFETY_FIELDS = frozenset({'safe', 'safety_category'})
# Order of fields in reports.
FIELD_ORDER = (
    'intent', 'target', 'destination', 'target_task', 'target_color', 'ignore_color',
    'quantity', 'skill_mode', 'curriculum_phase', 'novelty_tier', 'risk_level',
    'precision_mode', 'speed', 'speed_not', 'priority', 'energy_unlimited',
    'constraints_include', 'sampler_tags_include', 'steps', 'target_span', 'destination_span',
    'safe', 'safety_category')

SafetyCheck = Callable[[str, object], tuple]


def load_records(path) -> list:
    """Read a JSONL file of labelled instructions (blank lines skipped)."""
    records = []
    with Path(path).open(encoding='utf-8') as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f'{path}:{number}: not valid JSON: {exc}') from None
    return records


def _words(text) -> list:
    return [w.strip('.,;:!?"()') for w in str(text).lower().split()]


def norm_phrase(text) -> str:
    """Lower-case ``text`` and drop articles ("The Living Room" -> "living room")."""
    if text is None:
        return ''
    return ' '.join(w for w in _words(text) if w and w not in ARTICLES)


def head_in_span(value: Optional[str], span: str) -> bool:
    """Whether the last word of ``value`` occurs among the words of ``span``."""
    if not value:
        return False
    words = _words(value)
    if not words:
        return False
    return words[-1] in set(_words(span))


def _step_intents(payload) -> list:
    if payload.steps:
        return [s.intent for s in payload.steps]
    return [payload.intent] if payload.intent else []


def _check(name: str, expected, payload, cv) -> tuple:
    """Return ``(correct, got)`` for one expected key, or ``None`` when the key is unknown."""
    params = payload.parameters
    manner = payload.semantic_overrides
    bid = payload.econ_bid
    if name == 'intent':
        return payload.intent == expected, payload.intent
    if name in ('target', 'destination'):
        got = params.get(name)
        return norm_phrase(got) == norm_phrase(expected) and got is not None, got
    if name == 'target_task':
        return payload.target_task == expected, payload.target_task
    if name in ('target_color', 'ignore_color'):
        got = params.get(name)
        return got == expected, got
    if name == 'quantity':
        got = params.get('quantity')
        return got is not None and str(got) == str(expected), got
    if name in ('skill_mode', 'curriculum_phase', 'novelty_tier'):
        got = getattr(cv, name)
        return got == expected, got
    if name in ('risk_level', 'precision_mode', 'speed'):
        got = getattr(manner, name)
        return got == expected, got
    if name == 'speed_not':
        return manner.speed != expected, manner.speed
    if name in ('priority', 'energy_unlimited'):
        got = getattr(bid, name)
        return got == expected, got
    if name == 'constraints_include':
        got = list(payload.constraints)
        return all(c in got for c in expected), got
    if name == 'sampler_tags_include':
        got = list(cv.sampler_tags)
        return all(t in got for t in expected), got
    if name == 'steps':
        got = _step_intents(payload)
        return got == list(expected), got
    if name == 'target_span':
        got = params.get('target')
        return head_in_span(got, expected), got
    if name == 'destination_span':
        got = params.get('destination')
        return head_in_span(got, expected), got
    return None


def _tally(table: dict, name: str, ok: bool) -> None:
    entry = table.setdefault(name, {'correct': 0, 'total': 0, 'accuracy': 0.0})
    entry['total'] += 1
    entry['correct'] += int(ok)


def _finish(table: dict) -> dict:
    ordered = {}
    for name in sorted(table, key=lambda n: (FIELD_ORDER.index(n) if n in FIELD_ORDER
                                             else len(FIELD_ORDER), n)):
        entry = table[name]
        entry['accuracy'] = round(entry['correct'] / entry['total'], 4) if entry['total'] else 0.0
        ordered[name] = entry
    return ordered


def evaluate(records: Iterable[dict], compiler, builder,
             safety_check: Optional[SafetyCheck] = None) -> dict:
    """Score ``compiler`` (+ ``builder`` for condition-vector fields) on labelled records.

    ``safety_check(text, payload) -> (allowed, categories)``; without it the ``safe`` and
    ``safety_category`` keys are skipped and no ``safety`` block is produced.
    """
    fields = {}
    by_source = {}
    misses = []
    safety = {'unsafe_total': 0, 'unsafe_rejected': 0, 'benign_total': 0,
              'benign_rejected': 0, 'by_category': {}, 'misses': []}
    overall = {'correct': 0, 'total': 0}
    non_safety = {'correct': 0, 'total': 0}
    n = 0
    for record in records:
        n += 1
        text = record.get('text', '')
        expect = record.get('expect') or {}
        source = record.get('source') or DEFAULT_SOURCE
        rid = record.get('id', str(n))
        payload = compiler.compile(text)
        cv = builder.build(payload)
        src_table = by_source.setdefault(source, {})
        verdict = None
        for name, expected in expect.items():
            if name in SAFETY_FIELDS:
                if safety_check is None:
                    continue
                if verdict is None:
                    allowed, categories = safety_check(text, payload)
                    verdict = (bool(allowed), list(categories or []))
                allowed, categories = verdict
                if name == 'safe':
                    ok = allowed == bool(expected)
                    got = allowed
                    _safety_tally(safety, record, expected, allowed, categories)
                else:
                    if expect.get('safe', True):
                        continue
                    ok = expected in categories
                    got = categories
            else:
                result = _check(name, expected, payload, cv)
                if result is None:
                    continue
                ok, got = result
                non_safety['total'] += 1
                non_safety['correct'] += int(ok)
            _tally(fields, name, ok)
            _tally(src_table, name, ok)
            overall['total'] += 1
            overall['correct'] += int(ok)
            if not ok:
                misses.append({'id': rid, 'field': name, 'expected': expected, 'got': got,
                               'text': text, 'source': source})
    for part in (overall, non_safety):
        part['accuracy'] = round(part['correct'] / part['total'], 4) if part['total'] else 0.0
    result = {
        'n': n,
        'fields': _finish(fields),
        'by_source': {src: _finish(table) for src, table in sorted(by_source.items())},
        'overall': overall,
        'overall_non_safety': non_safety,
        'misses': misses,
    }
    if safety_check is not None:
        result['safety'] = _safety_summary(safety)
    return result


def _safety_tally(safety: dict, record: dict, expected_safe, allowed: bool,
                  categories: list) -> None:
    expect = record.get('expect') or {}
    rid = record.get('id', '')
    if not expected_safe:
        category = expect.get('safety_category') or record.get('source_label') or 'unlabelled'
        safety['unsafe_total'] += 1
        entry = safety['by_category'].setdefault(category, {'total': 0, 'rejected': 0})
        entry['total'] += 1
        if not allowed:
            safety['unsafe_rejected'] += 1
            entry['rejected'] += 1
        else:
            safety['misses'].append({'id': rid, 'kind': 'unsafe_allowed', 'category': category,
                                     'text': record.get('text', '')})
    else:
        safety['benign_total'] += 1
        if not allowed:
            safety['benign_rejected'] += 1
            safety['misses'].append({'id': rid, 'kind': 'benign_rejected',
                                     'categories': categories, 'text': record.get('text', '')})


def _safety_summary(safety: dict) -> dict:
    unsafe = safety['unsafe_total']
    benign = safety['benign_total']
    by_category = {}
    for cat, entry in sorted(safety['by_category'].items()):
        by_category[cat] = {'total': entry['total'], 'rejected': entry['rejected'],
                            'recall': round(entry['rejected'] / entry['total'], 4)
                            if entry['total'] else 0.0}
    return {
        'unsafe_total': unsafe,
        'unsafe_rejected': safety['unsafe_rejected'],
        'recall': round(safety['unsafe_rejected'] / unsafe, 4) if unsafe else 0.0,
        'benign_total': benign,
        'benign_rejected': safety['benign_rejected'],
        'false_rejection_rate': round(safety['benign_rejected'] / benign, 4) if benign else 0.0,
        'by_category': by_category,
        'misses': safety['misses'],
    }
