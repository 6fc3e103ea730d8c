"""Composite intents: the purpose of a compound instruction, read from the ontology's rules.

"Pick up the CD and turn on the lamp" is an inspection of the CD in the light; "rinse the mug
and put it on the table" is a pick-and-place of the mug. The payload's ``steps`` stay the
ordered sub-tasks with their own intents; only the top-level intent and slots change.
"""


import pytest
import yaml

from tfd_ros.compiler.heuristic import HeuristicCompiler
from tfd_ros.compiler.lexicon import Lexicon
from tfd_ros.ontology import OntologyError, ontology_from_mapping
from tfd_ros.paths import config_file


@pytest.fixture(scope='module')
def raw():
    return yaml.safe_load(config_file('ontology.yaml').read_text(encoding='utf-8'))


@pytest.fixture(scope='module')
def hc():
    return HeuristicCompiler()


@pytest.fixture(scope='module')
def plain(raw):
    """Build a compiler without composite rules: the first step is the task."""
    data = yaml.safe_load(yaml.safe_dump(raw))
    data['composite_intents']['rules'] = []
    return HeuristicCompiler(ontology=ontology_from_mapping(data))


def _rule(payload):
    found = [n.split(': ', 1)[1] for n in payload.notes if n.startswith('composite intent: ')]
    return found[0] if found else None


def _steps(payload):
    return [(s.intent, s.parameters.get('target')) for s in payload.steps]


# (text, intent, target, rule, step intents)
CASES = [
    ('Pick up the CD and turn on the lamp', 'inspection', 'cd', 'look_at_in_light',
     ['pick_place', 'operate_device']),
    ('Hold the remote and switch on the floor lamp', 'inspection', 'remote',
     'look_at_in_light', ['pick_place', 'operate_device']),
    ('grab the stapler, then flip the desk lamp on', 'inspection', 'stapler',
     'look_at_in_light', ['pick_place', 'operate_device']),
    ('Switch on the reading lamp and lift the figurine', 'inspection', 'figurine',
     'look_at_in_light', ['operate_device', 'pick_place']),
    ('Turn on the lamp while holding the teapot.', 'inspection', 'teapot', 'look_at_in_light',
     ['operate_device', 'pick_place']),
    ('Carry the statue to the lamp and turn it on', 'inspection', 'statue', 'carry_to_light',
     ['pick_place', 'operate_device']),
    ('Switch on the desk lamp and examine the watch', 'inspection', 'watch',
     'light_then_inspect', ['operate_device', 'inspection']),
    ('inspect the coin after you turn on the lights', 'inspection', 'coin',
     'light_then_inspect', None),
    ('Hold the vase under the lamp', 'inspection', 'vase', 'hold_in_light', []),
    ('Rinse the mug in the sink and put it on the table', 'pick_place', 'mug',
     'clean_then_place', ['clean_area', 'pick_place']),
    ('Wash the apple, then put it in the fridge', 'pick_place', 'apple', 'clean_then_place',
     ['clean_area', 'pick_place']),
    ('scrub the pan and hang the pan on the hook', 'pick_place', 'pan', 'clean_then_place',
     ['clean_area', 'pick_place']),
    ('Heat the potato in the microwave and put it on the counter', 'pick_place', 'potato',
     'heat_or_cool_then_place', ['pick_place', 'pick_place']),
    ('Chill the wine, then set it on the table', 'pick_place', 'wine',
     'heat_or_cool_then_place', ['pick_place', 'pick_place']),
]


@pytest.mark.parametrize('text,intent,target,rule,steps', CASES)
def test_each_composite_rule(hc, text, intent, target, rule, steps):
    p = hc.compile(text)
    assert (p.intent, p.parameters.get('target'), _rule(p)) == (intent, target, rule)
    if steps is not None:
        assert [s.intent for s in p.steps] == steps


@pytest.mark.parametrize('text', [t for t, *_ in CASES] + [
    'Wipe the table, then bring me a sponge.', 'go to the kitchen and grab a soda',
    'turn on the lights and then check the basement', 'grab the keys and turn off the lights'])
def test_steps_are_the_same_with_or_without_composite_rules(hc, plain, text):
    with_rules, without = hc.compile(text), plain.compile(text)
    assert _steps(with_rules) == _steps(without)
    assert [s.text for s in with_rules.steps] == [s.text for s in without.steps]


def test_composite_slots_come_from_the_named_steps(hc):
    p = hc.compile('Rinse the mug in the sink and put it on the table')
    assert p.parameters['destination'] == 'table'
    assert p.target_task == 'fetch_mug'
    p = hc.compile('Pick up the CD and turn on the desk lamp')
    assert p.parameters['device'] == 'desk lamp'
    assert p.curriculum.sampler_tags[0] == 'cd'
    p = hc.compile('Switch on the desk lamp and examine the watch')
    assert p.parameters['target'] == 'watch' and p.parameters['device'] == 'desk lamp'


def test_transit_steps_may_come_before_or_between_pattern_steps(hc):
    p = hc.compile('go to the desk, pick up the pencil and turn on the lamp')
    assert (p.intent, p.parameters['target']) == ('inspection', 'pencil')
    assert [s.intent for s in p.steps] == ['navigation', 'pick_place', 'operate_device']
    p = hc.compile('wash the plate, walk to the cupboard and put it inside')
    assert (p.intent, p.parameters['target']) == ('pick_place', 'plate')


@pytest.mark.parametrize('text,intent', [
    # Turning a light off is not looking at something in its light.
    ('grab the keys and turn off the lights', 'pick_place'),
    # Handing the object over, or putting it somewhere, is the task itself.
    ('give me the remote and switch on the lamp', 'pick_place'),
    ('put the book on the shelf and turn on the lamp', 'pick_place'),
    # A television is no light source.
    ('take the remote control and turn on the tv', 'pick_place'),
    # Cleaning one thing and fetching another: two tasks, the first one leads.
    ('Wipe the table, then bring me a sponge.', 'clean_area'),
    ('wash the dishes and put the towel in the basket', 'clean_area'),
    # An extra step of another kind: not the rule's task.
    ('pick up the cd, turn on the lamp and vacuum the rug', 'pick_place'),
    # Putting, not holding, something under a lamp.
    ('Put the vase under the lamp', 'pick_place'),
    # Single clauses keep their own intent.
    ('Turn on the lamp in the living room', 'operate_device'),
    ('go to the kitchen and grab a soda', 'navigation'),
])
def test_rules_do_not_fire_outside_their_pattern(hc, text, intent):
    p = hc.compile(text)
    assert p.intent == intent
    assert _rule(p) is None


@pytest.mark.parametrize('text,target', [
    ('Examine the bowl under the light of the lamp', 'bowl'),
    ('Look at the credit card by the light of a floor lamp.', 'credit card'),
    ('inspect the keys in the lamplight', 'keys'),
    ('look at the watch with the desk lamp', 'watch'),
])
def test_a_lamp_in_a_single_inspection_clause_is_the_instrument(hc, text, target):
    p = hc.compile(text)
    assert (p.intent, p.parameters.get('target')) == ('inspection', target)


def test_word_class_membership(raw):
    lex = Lexicon(ontology_from_mapping(raw))
    assert lex.in_class('light_source', 'tall floor lamp')
    assert lex.in_class('light_source', 'lamps')
    assert lex.in_class('light_source', 'light switch')
    assert not lex.in_class('light_source', 'lampshade')
    assert not lex.in_class('light_source', 'tv')
    assert not lex.in_class('light_source', None)
    assert not lex.in_class('no_such_class', 'lamp')


def test_a_rule_added_in_data_changes_the_purpose(raw):
    data = yaml.safe_load(yaml.safe_dump(raw))
    text = 'open the fridge and take out the milk'
    assert HeuristicCompiler(ontology=ontology_from_mapping(data)).compile(text).intent \
        == 'open_close'
    data['composite_intents']['rules'].append({
        'name': 'open_then_fetch', 'intent': 'pick_place', 'target_from': 1,
        'steps': [{'intents': ['open_close']}, {'intents': ['pick_place']}]})
    p = HeuristicCompiler(ontology=ontology_from_mapping(data)).compile(text)
    assert (p.intent, p.parameters['target'], _rule(p)) == ('pick_place', 'milk',
                                                            'open_then_fetch')
    assert [s.intent for s in p.steps] == ['open_close', 'pick_place']


def _bad(raw, edit):
    data = yaml.safe_load(yaml.safe_dump(raw))
    edit(data['composite_intents'], data)
    with pytest.raises(OntologyError) as exc:
        ontology_from_mapping(data)
    return exc.value.path


def test_bad_composite_entries_name_their_dotted_path(raw):
    def set_(path, value):
        def edit(comp, data):
            target = comp
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return edit

    assert _bad(raw, set_(['rules', 0, 'intent'], 'teleport')) \
        == 'composite_intents.rules.0.intent'
    assert _bad(raw, set_(['rules', 0, 'steps', 1, 'slot_classes'], {'target': 'glowing'})) \
        == 'composite_intents.rules.0.steps.1.slot_classes.target'
    assert _bad(raw, set_(['rules', 1, 'steps', 0, 'colour'], 'red')) \
        == 'composite_intents.rules.1.steps.0.colour'
    assert _bad(raw, set_(['rules', 2, 'steps', 1, 'intents'], ['inspection', 'dance'])) \
        == 'composite_intents.rules.2.steps.1.intents.1'
    assert _bad(raw, set_(['rules', 3, 'steps', 0, 'verbs'], ['hold', 'juggle'])) \
        == 'composite_intents.rules.3.steps.0.verbs.1'
    assert _bad(raw, set_(['rules', 0, 'steps', 0, 'absent_slots'], ['destination', 'colr'])) \
        == 'composite_intents.rules.0.steps.0.absent_slots.1'
    assert _bad(raw, set_(['rules', 0, 'target_from'], 5)) \
        == 'composite_intents.rules.0.target_from'
    assert _bad(raw, set_(['rules', 0, 'slots'], {'device': '7.target'})) \
        == 'composite_intents.rules.0.slots.device'
    assert _bad(raw, set_(['rules', 4, 'steps', 0, 'same_object_as'], 1)) \
        == 'composite_intents.rules.4.steps.0.same_object_as'
    assert _bad(raw, set_(['rules', 4, 'steps', 0, 'intents'], ['navigation'])) \
        == 'composite_intents.rules.4.steps.0.intents.0'
    assert _bad(raw, set_(['transit_intents'], ['navigation', 'warp'])) \
        == 'composite_intents.transit_intents.1'
    assert _bad(raw, set_(['rules', 0, 'steps'], [])) == 'composite_intents.rules.0.steps'
    assert _bad(raw, lambda comp, data: data['word_classes'].update(light_source=[])) \
        == 'word_classes.light_source'
