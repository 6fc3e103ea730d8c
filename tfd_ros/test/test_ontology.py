"""The ontology file loads, validates and names the dotted path of a bad key."""

from pathlib import Path

import pytest
import yaml

from tfd_ros.ontology import OntologyError, load_ontology, ontology_from_mapping
from tfd_ros.paths import config_file


@pytest.fixture(scope='module')
def raw():
    return yaml.safe_load(config_file('ontology.yaml').read_text(encoding='utf-8'))


def test_packaged_ontology_loads_with_design_intents():
    onto = load_ontology()
    for intent in ('pick_place', 'navigation', 'inspection', 'clean_area', 'sort_objects',
                   'open_close', 'operate_device', 'explore', 'adjust_behavior', 'stop'):
        assert intent in onto.intents
    assert onto.skill_mode('sort_objects') == 'precision_sorting'
    assert onto.skill_mode(None) == onto.idle_skill_mode
    assert onto.intents['stop'].priority == 'critical'


def test_yaml_booleans_never_sneak_into_word_lists(raw):
    # "on", "off", "no" are YAML 1.1 booleans unless quoted; the model rejects them.
    onto = ontology_from_mapping(raw)
    assert 'on' in onto.particles and 'off' in onto.particles
    assert 'no' in onto.negation.cues


def test_unknown_intent_in_particles_names_dotted_path(raw):
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw['verbs']['turn']['particles']['on'] = 'teleport'
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(raw)
    assert exc.value.path == 'verbs.turn.particles.on'


def test_extra_key_is_rejected_with_its_path(raw):
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw['modifiers']['fast']['colour'] = 'red'
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(raw)
    assert exc.value.path == 'modifiers.fast.colour'


def test_objective_weight_out_of_range_is_rejected(raw):
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw['modifiers']['careful']['objective']['safety'] = 3.0
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(raw)
    assert exc.value.path.startswith('modifiers.careful.objective')


def test_wrong_type_names_path(raw):
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw['intents']['navigation']['energy_wh'] = 'lots'
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(raw)
    assert exc.value.path == 'intents.navigation.energy_wh'


def test_bad_file_reports_file_error(tmp_path: Path):
    bad = tmp_path / 'ontology.yaml'
    bad.write_text('intents: [unclosed', encoding='utf-8')
    with pytest.raises(OntologyError) as exc:
        load_ontology(bad)
    assert exc.value.path == '<file>'
    with pytest.raises(OntologyError):
        load_ontology(tmp_path / 'missing.yaml')


def test_not_a_mapping_is_rejected():
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(['a', 'list'])
    assert exc.value.path == '<root>'
