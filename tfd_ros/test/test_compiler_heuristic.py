"""Heuristic compiler behaviour: intents, slots, modifiers, negation scope, compounds."""

import pytest

from tfd_ros.compiler import HeuristicCompiler, SemanticCompiler
from tfd_ros.config import TFDConfig
from tfd_ros.payload import TextOpPayload


@pytest.fixture(scope='module')
def hc():
    return HeuristicCompiler()


def test_protocol_and_factory(hc):
    assert isinstance(hc, SemanticCompiler)
    assert hc.name == 'heuristic'
    from tfd_ros.factory import create_compiler
    from tfd_ros.ontology import load_ontology
    assert isinstance(create_compiler(TFDConfig(), load_ontology()), HeuristicCompiler)


@pytest.mark.parametrize('text,intent', [
    ('Pick the mug up.', 'pick_place'),
    ('Please fetch my glasses', 'pick_place'),
    ('Could you throw the banana peel away?', 'pick_place'),
    ('Drive over to the garage', 'navigation'),
    ('Head back to the charger', 'navigation'),
    ('Have a look at the printer', 'inspection'),
    ('Search the garage for the drill', 'inspection'),
    ('Scrub the bathtub', 'clean_area'),
    ('Group the socks by colour', 'sort_objects'),
    ('Unlock the front door', 'open_close'),
    ('Switch the heater off', 'operate_device'),
    ('Turn the radio in the kitchen on', 'operate_device'),
    ('Power on the printer', 'operate_device'),
    ('Look around the attic', 'explore'),
    ('Halt', 'stop'),
    ('Speed up', 'adjust_behavior'),
    ('I want you to mop the hall', 'clean_area'),
    ('Putting the forks in the drawer', 'pick_place'),
    ('Can I have a glass of water?', 'pick_place'),
    ('Use the sponge to wipe the counter', 'clean_area'),
])
def test_intents_from_verbs_particles_wrappers_and_morphology(hc, text, intent):
    assert hc.compile(text).intent == intent


def test_slots_strip_articles_colours_numbers_and_adjectives(hc):
    p = hc.compile('Grab three small green apples from the basket and put them on the tray')
    assert p.parameters['target'] == 'apples'
    assert p.parameters['target_color'] == 'green'
    assert p.parameters['quantity'] == '3'
    assert p.parameters['source'] == 'basket'
    assert p.parameters['destination'] == 'tray'  # carried over from "put them on the tray"


def test_recipient_versus_destination(hc):
    assert hc.compile('Give the scissors to the child').parameters.get('recipient') == 'child'
    p = hc.compile('Carry the basket to the laundry room')
    assert p.parameters['destination'] == 'laundry room'
    assert 'recipient' not in p.parameters


def test_navigation_object_is_the_destination(hc):
    p = hc.compile('Enter the garage')
    assert p.intent == 'navigation'
    assert p.parameters['destination'] == 'garage'
    assert p.target_task == 'go_to_garage'


def test_target_task_naming(hc):
    assert hc.compile('Vacuum the living room').target_task == 'clean_living_room'
    assert hc.compile('Stop').target_task == 'stop'


def test_stop_is_critical_and_stop_on_a_device_is_operation(hc):
    p = hc.compile('Stop right there!')
    assert p.intent == 'stop'
    assert p.econ_bid.priority == 'critical'
    assert hc.compile('Stop the dishwasher').intent == 'operate_device'


def test_careful_sets_manner_and_fast_sets_priority(hc):
    careful = hc.compile('Carefully carry the glasses to the sink')
    assert careful.semantic_overrides.risk_level == 'low'
    assert careful.semantic_overrides.precision_mode is True
    assert careful.semantic_overrides.speed == 'slow'
    fast = hc.compile('Bring the charger asap')
    assert fast.semantic_overrides.speed == 'fast'
    assert fast.econ_bid.priority == 'high'
    assert fast.semantic_overrides.risk_level == 'high'


@pytest.mark.parametrize('text', [
    "Don't go fast in the corridor",
    'Do not rush, mop the floor',
    'No need to hurry, dust the shelves',
    'Never drive quickly near people',
])
def test_negated_speed_is_not_fast(hc, text):
    assert hc.compile(text).semantic_overrides.speed != 'fast'


def test_scoped_care_constrains_the_object_not_the_task(hc):
    p = hc.compile('Dust the shelf and be careful with the glass lamp')
    assert 'avoid_collision(glass lamp)' in p.constraints
    assert 'fragility_threshold=0.9' in p.constraints
    assert p.semantic_overrides.speed == 'normal'
    assert p.semantic_overrides.risk_level == 'medium'
    q = hc.compile("Tidy the desk, don't knock over the mug")
    assert 'avoid_collision(mug)' in q.constraints


def test_exclusions_ignore_colours_and_attributes(hc):
    p = hc.compile('Sort the yellow cubes except the green ones')
    assert p.parameters['target_color'] == 'yellow'
    assert p.parameters['ignore_color'] == 'green'
    assert 'ignore(color=green)' in p.constraints
    assert p.objective_weights['green'] == -1.0
    assert p.objective_weights['yellow'] == 1.0
    q = hc.compile('Stack the plates but not the cracked ones')
    assert 'exclude(attribute=cracked)' in q.constraints


def test_energy_unlimited(hc):
    for text in ('Mop everything, whatever it costs', 'Clean the garage, battery is no concern',
                 "Map the yard, I don't care about power"):
        p = hc.compile(text)
        assert p.econ_bid.energy_unlimited is True, text
        assert p.econ_bid.max_energy_cost is None
    assert hc.compile('Mop the floor').econ_bid.energy_unlimited is False


def test_frontier_curriculum_and_sampler_tags(hc):
    p = hc.compile('Try to learn how to unscrew the strange jar lid')
    assert p.intent == 'open_close'
    assert p.parameters['target'] == 'jar lid'
    assert p.curriculum.phase == 'frontier'
    p = hc.compile('Figure out how to close the unusual hatch')
    assert p.intent == 'open_close'
    assert p.curriculum.phase == 'frontier'
    assert p.curriculum.novelty_tier == 2
    assert p.curriculum.ood_recovery_mode is True
    assert 'hatch' in p.curriculum.sampler_tags
    assert hc.compile('Close the hatch').curriculum.phase == 'nominal'


def test_compound_steps(hc):
    p = hc.compile('Open the fridge, take out the milk and then close the fridge')
    assert [s.intent for s in p.steps] == ['open_close', 'pick_place', 'open_close']
    assert p.intent == 'open_close'
    assert p.parameters['target'] == 'fridge'
    q = hc.compile('go to the garage grab the hammer')
    assert [s.intent for s in q.steps] == ['navigation', 'pick_place']


def test_coordinated_objects_are_not_split(hc):
    p = hc.compile('Bring the cup and the saucer to the table')
    assert p.steps == []
    assert p.parameters['destination'] == 'table'


def test_instrument_preparation_is_absorbed(hc):
    p = hc.compile('Switch on the hoover and clean the stairs')
    assert p.intent == 'clean_area'
    assert p.parameters['device'] == 'hoover'
    assert p.steps == []


def test_statement_context_is_dropped(hc):
    p = hc.compile("I'm cold, close the window")
    assert p.intent == 'open_close'
    assert p.steps == []


@pytest.mark.parametrize('text', ['Hello there, how are you today?', 'zxqv plorb',
                                  'The weather is nice.', '', '   ', '42'])
def test_not_understood(hc, text):
    p = hc.compile(text)
    assert p.intent is None
    assert p.confidence == 0.0
    assert any('not understood' in n for n in p.notes)


def test_ambiguity_lowers_confidence(hc):
    clear = hc.compile('Open the drawer').confidence
    assert hc.compile('Open').confidence < clear
    assert hc.compile('Slowly, no, quickly bring the tray').confidence < clear


def test_long_text_is_truncated_not_rejected():
    hc = HeuristicCompiler(config=TFDConfig(max_text_length=20))
    p = hc.compile('Open the drawer ' + 'please ' * 50)
    assert p.intent == 'open_close'
    assert len(p.raw_text) == 20
    assert any('truncated' in n for n in p.notes)


def test_payload_is_strict_json_roundtrip(hc):
    p = hc.compile('Go fast, I do not care about energy')
    again = TextOpPayload.from_json(p.to_json())
    assert again == p
    assert 'Infinity' not in p.to_json()
