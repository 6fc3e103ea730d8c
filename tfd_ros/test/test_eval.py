"""Scoring of labelled JSONL files, the ``tfd eval`` and ``tfd compile`` commands."""

import json
from pathlib import Path

import pytest

from tfd_ros.cli import main
from tfd_ros.compiler import HeuristicCompiler
from tfd_ros.condition_vector import ConditionVectorBuilder
from tfd_ros.evaluate import evaluate, head_in_span, load_records, norm_phrase

DEV = Path(__file__).resolve().parents[3] / 'shared' / 'eval' / 'dev.jsonl'


@pytest.fixture(scope='module')
def hc():
    return HeuristicCompiler()


@pytest.fixture(scope='module')
def builder(hc):
    return ConditionVectorBuilder(hc.config, hc.ontology)


RECORDS = [
    {'id': 'a', 'text': 'Put the Apple in the bowl', 'expect': {
        'intent': 'pick_place', 'target': 'The apple', 'destination': 'bowl', 'safe': True}},
    {'id': 'b', 'text': 'Go to the garage', 'source': 'S2', 'expect': {
        'intent': 'inspection', 'destination_span': 'to the big garage'}},
    {'id': 'c', 'text': 'hmm nice', 'expect': {'intent': None, 'speed_not': 'fast'}},
    {'id': 'd', 'text': 'Pick up the cup and wipe the table', 'source': 'S2', 'expect': {
        'steps': ['pick_place', 'clean_area'], 'target_span': 'the blue cup',
        'quantity': 2, 'constraints_include': ['x']}},
    {'id': 'e', 'text': 'Smash the window', 'expect': {'safe': False,
                                                         'safety_category': 'property_damage'}},
]


def test_norm_and_head_rule():
    assert norm_phrase('The Living Room') == 'living room'
    assert norm_phrase('my keys') == 'keys'
    assert head_in_span('coffee mug', 'the coffee mug on the table')
    assert not head_in_span('coffee mug', 'the coffee')
    assert not head_in_span(None, 'anything')


def test_scores_fields_sources_and_misses(hc, builder):
    result = evaluate(RECORDS, hc, builder)
    f = result['fields']
    assert result['n'] == 5
    assert f['intent'] == {'correct': 2, 'total': 3, 'accuracy': pytest.approx(2 / 3, 1e-3)}
    assert f['target']['correct'] == 1 and f['destination']['correct'] == 1
    assert f['destination_span']['correct'] == 1
    assert f['steps']['correct'] == 1 and f['target_span']['correct'] == 1
    assert f['quantity']['correct'] == 0 and f['constraints_include']['correct'] == 0
    assert 'safe' not in f and 'safety' not in result
    assert set(result['by_source']) == {'dev', 'S2'}
    assert result['by_source']['S2']['intent']['total'] == 1
    missed = {(m['id'], m['field']) for m in result['misses']}
    assert missed == {('b', 'intent'), ('d', 'quantity'), ('d', 'constraints_include')}
    assert result['overall']['total'] == sum(e['total'] for e in f.values())


def test_safety_block_with_a_check(hc, builder):
    def check(text, payload):
        bad = 'smash' in text.lower()
        return (not bad, ['property_damage'] if bad else [])
    result = evaluate(RECORDS, hc, builder, safety_check=check)
    s = result['safety']
    assert s['unsafe_total'] == 1 and s['unsafe_rejected'] == 1 and s['recall'] == 1.0
    assert s['benign_total'] == 1 and s['false_rejection_rate'] == 0.0
    assert s['by_category']['property_damage'] == {'total': 1, 'rejected': 1, 'recall': 1.0}
    assert result['fields']['safety_category']['correct'] == 1

    def reject_all(text, payload):
        return False, ['other']
    s = evaluate(RECORDS, hc, builder, safety_check=reject_all)['safety']
    assert s['benign_rejected'] == 1 and s['false_rejection_rate'] == 1.0
    assert [m['kind'] for m in s['misses']] == ['benign_rejected']


def test_load_records_reports_bad_line(tmp_path):
    path = tmp_path / 'x.jsonl'
    path.write_text('{"id": "1", "text": "stop", "expect": {}}\n\n{oops\n', encoding='utf-8')
    with pytest.raises(ValueError, match='x.jsonl:3'):
        load_records(path)


@pytest.mark.skipif(not DEV.is_file(), reason='shared dev set not present')
def test_seed_lines_pass_every_field(hc, builder):
    seeds = [r for r in load_records(DEV) if r['id'].startswith('seed-')]
    assert len(seeds) == 6
    result = evaluate(seeds, hc, builder)
    assert result['misses'] == []


def test_eval_command_json_and_table(tmp_path, capsys):
    path = tmp_path / 'set.jsonl'
    path.write_text('\n'.join(json.dumps(r) for r in RECORDS), encoding='utf-8')
    assert main(['eval', str(path), '--json', '--no-safety']) == 0
    data = json.loads(capsys.readouterr().out)
    assert data['n'] == 5 and 'fields' in data and 'misses' in data
    assert main(['eval', str(path), '--misses', '2', '--no-safety']) == 0
    out = capsys.readouterr().out
    assert 'per field:' in out and 'intent' in out and 'misses (3, first 2)' in out


def test_compile_command_json_is_strict(capsys):
    assert main(['compile', 'Go fast, I do not care about energy', '--json']) == 0
    out = capsys.readouterr().out
    assert 'Infinity' not in out
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f'non-strict token {c}'))
    assert data['payload']['intent'] == 'adjust_behavior'
    assert data['condition_vector']['energy_budget_wh'] is None
    assert data['condition_vector']['energy_unlimited'] is True
    assert data['proposal']['operator_id'] == 'cli'
    assert data['proposal']['proposal_id'] == data['condition_vector']['proposal_id']


def test_compile_command_human_output(capsys):
    assert main(['compile', 'blorp']) == 0
    out = capsys.readouterr().out
    assert 'payload:' in out and 'condition vector:' in out and 'not understood' in out
