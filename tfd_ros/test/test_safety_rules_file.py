"""The safety rules file: validation, dotted error paths, and the packaged file."""

import copy
from pathlib import Path

import pytest
import yaml

from tfd_ros.paths import config_file
from tfd_ros.safety import CATEGORIES, RulesError, SafetyPolicy, load_rules
from tfd_ros.safety.lexicon import noun_forms, verb_forms
from tfd_ros.safety.rules import parse_rules


@pytest.fixture(scope='module')
def packaged_data():
    return yaml.safe_load(config_file('safety.yaml').read_text(encoding='utf-8'))


def test_packaged_file_loads_and_is_frozen():
    rules = load_rules()
    assert len(rules.rules) >= 40
    assert {r.category for r in rules.rules} == set(CATEGORIES)
    with pytest.raises(Exception):
        rules.rules[0].category = 'weapons'
    with pytest.raises(Exception):
        rules.grammar.negation_window = 9


def test_every_rule_has_id_description_and_levels():
    rules = load_rules()
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    for rule in rules.rules:
        assert rule.description.strip()
        assert set(rule.levels) <= {'strict', 'standard'}
        if 'standard' in rule.levels:
            assert 'strict' in rule.levels  # strict rejects at least what standard rejects


def test_strict_only_rules_are_documented_in_the_file():
    header = config_file('safety.yaml').read_text(encoding='utf-8').split('version:')[0]
    for rule in load_rules().rules:
        if tuple(rule.levels) == ('strict',):
            assert rule.id in header, rule.id


def _bad(data, path, *keys_and_value):
    *keys, value = keys_and_value
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    with pytest.raises(RulesError) as info:
        parse_rules(data)
    assert info.value.field == path, str(info.value)
    assert path in str(info.value)


def test_unknown_rule_key_names_its_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    _bad(data, 'rules.3.severity', 'rules', 3, 'severity', 'high')


def test_bad_category_names_its_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    _bad(data, 'rules.0.category', 'rules', 0, 'category', 'mayhem')


def test_bad_level_names_its_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    _bad(data, 'rules.2.levels.0', 'rules', 2, 'levels', ['lenient'])


def test_unknown_class_in_a_rule_names_its_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    index = next(i for i, r in enumerate(data['rules'])
                 if 'require' in r and 'object' in r['require'])
    _bad(data, f'rules.{index}.require.object.0', 'rules', index, 'require', 'object',
         ['NO_SUCH_CLASS'])


def test_unknown_role_names_its_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    with pytest.raises(RulesError) as info:
        data['rules'][0]['require'] = {'elsewhere': ['PERSON']}
        parse_rules(data)
    assert info.value.field.startswith('rules.0.require')


def test_lexicon_errors_name_their_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    _bad(data, 'lexicon.PERSON.kind', 'lexicon', 'PERSON', 'kind', 'adjective')
    data = copy.deepcopy(packaged_data)
    _bad(data, 'lexicon.PERSON.include.0', 'lexicon', 'PERSON', 'include', ['NOBODY'])
    data = copy.deepcopy(packaged_data)
    _bad(data, 'lexicon.PERSON.synonyms', 'lexicon', 'PERSON', 'synonyms', ['folk'])


def test_grammar_errors_name_their_path(packaged_data):
    data = copy.deepcopy(packaged_data)
    _bad(data, 'grammar.prepositions.onto', 'grammar', 'prepositions', 'onto', 'sideways')


def test_duplicate_rule_id_and_empty_rule(packaged_data):
    data = copy.deepcopy(packaged_data)
    data['rules'][1]['id'] = data['rules'][0]['id']
    with pytest.raises(RulesError) as info:
        parse_rules(data)
    assert info.value.field == 'rules.1.id'
    data = copy.deepcopy(packaged_data)
    data['rules'][0] = {'id': 'empty_rule', 'category': 'weapons', 'description': 'x',
                        'levels': ['strict']}
    with pytest.raises(RulesError) as info:
        parse_rules(data)
    assert info.value.field == 'rules.0'


def test_bad_files_fail_on_load(tmp_path: Path):
    broken = tmp_path / 'broken.yaml'
    broken.write_text('rules: [unclosed\n', encoding='utf-8')
    with pytest.raises(RulesError):
        load_rules(broken)
    not_a_map = tmp_path / 'list.yaml'
    not_a_map.write_text('- a\n- b\n', encoding='utf-8')
    with pytest.raises(RulesError):
        SafetyPolicy.from_file(not_a_map)


def test_a_custom_file_drives_the_policy(tmp_path: Path):
    custom = {
        'grammar': {'prepositions': {'on': 'onto'}},
        'lexicon': {'SQUASH': {'kind': 'verb', 'terms': ['squash']},
                    'BUG': {'kind': 'noun', 'terms': ['ladybird']}},
        'rules': [{'id': 'no_squashing', 'category': 'harm_to_animals',
                   'description': 'leave ladybirds alone', 'levels': ['standard', 'strict'],
                   'verb': ['SQUASH'], 'require': {'object': ['BUG']}}],
    }
    path = tmp_path / 'custom.yaml'
    path.write_text(yaml.safe_dump(custom), encoding='utf-8')
    policy = SafetyPolicy.from_file(path, level='standard')
    verdict = policy.check('Squashing the ladybirds now')
    assert [v.rule_id for v in verdict.violations] == ['no_squashing']
    assert verdict.violations[0].evidence == 'Squashing the ladybirds'
    assert policy.check('Squash the tomatoes').allowed


@pytest.mark.parametrize('word, form', [
    ('smash', 'smashes'), ('drop', 'dropped'), ('drop', 'dropping'), ('pour', 'poured'),
    ('spill', 'spilling'), ('carry', 'carried'), ('place', 'placed'), ('place', 'placing'),
])
def test_verb_inflection(word, form):
    assert form in verb_forms(word)


@pytest.mark.parametrize('word, form', [
    ('knife', 'knives'), ('shelf', 'shelves'), ('box', 'boxes'), ('baby', 'babies'),
    ('dog', 'dogs'),
])
def test_noun_inflection(word, form):
    assert form in noun_forms(word)
