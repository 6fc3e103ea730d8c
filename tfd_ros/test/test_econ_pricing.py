"""Pricing of task proposals from config/econ.yaml."""

import json
from pathlib import Path
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
import yaml

from tfd_ros.config import ConfigError
from tfd_ros.econ.pricing import PART_NAMES, PricingModel, Quote, normalise_target
from tfd_ros.paths import config_file
from tfd_ros.payload import Step, TextOpPayload
from tfd_ros.proposal import TaskProposalData, build_proposal

PRICED_INTENTS = ('pick_place', 'navigation', 'inspection', 'clean_area', 'sort_objects',
                  'open_close', 'operate_device', 'explore', 'adjust_behavior')
DEFAULT_BID = 500.0


@pytest.fixture(scope='module')
def pricing() -> PricingModel:
    return PricingModel.from_file()


def proposal(intent='pick_place', **fields) -> TaskProposalData:
    fields.setdefault('max_energy_cost', DEFAULT_BID)
    return TaskProposalData(proposal_id='p-1', operator_id='alice', raw_text='text',
                            intent=intent, **fields)


def packaged_data() -> dict:
    return yaml.safe_load(config_file('econ.yaml').read_text(encoding='utf-8'))


def write_yaml(tmp_path: Path, data) -> Path:
    path = tmp_path / 'econ.yaml'
    path.write_text(yaml.safe_dump(data), encoding='utf-8')
    return path


proposals = st.builds(
    proposal,
    intent=st.sampled_from(PRICED_INTENTS + ('stop', 'not_in_the_file')),
    parameters=st.dictionaries(st.sampled_from(['target', 'object', 'destination']),
                               st.sampled_from(['kitchen', 'the house', 'kitchen table',
                                                'garage', 'cup', 'Living Room'])),
    risk_level=st.sampled_from(['low', 'medium', 'high']),
    precision_mode=st.booleans(),
    speed=st.sampled_from(['slow', 'normal', 'fast']),
    priority=st.sampled_from(['low', 'medium', 'high', 'critical']),
)


def test_packaged_file_loads_and_prices_every_design_intent(pricing):
    for intent in PRICED_INTENTS + ('stop',):
        assert intent in pricing.intents, intent
    assert pricing.is_unpriced('stop')


@settings(max_examples=150, deadline=None)
@given(proposals)
def test_price_is_the_sum_of_its_rounded_parts(proposal_data):
    quote = PricingModel.from_file().quote(proposal_data)
    assert quote.price == pytest.approx(sum(quote.parts().values()), abs=1e-9)
    for name in PART_NAMES:
        value = getattr(quote, name)
        assert value >= 0.0 and round(value, 2) == value


@settings(max_examples=100, deadline=None)
@given(proposals)
def test_going_fast_increases_wear_by_half(proposal_data):
    pricing = PricingModel.from_file()
    if pricing.is_unpriced(proposal_data.intent):
        return
    normal = pricing.quote(proposal_data.model_copy(update={'speed': 'normal'}))
    fast = pricing.quote(proposal_data.model_copy(update={'speed': 'fast'}))
    assert fast.wear_cost == pytest.approx(1.5 * normal.wear_cost, abs=0.01)
    assert fast.energy_wh >= normal.energy_wh


@settings(max_examples=100, deadline=None)
@given(proposals)
def test_more_risk_more_priority_or_precision_never_costs_less(proposal_data):
    pricing = PricingModel.from_file()

    def price(**update):
        return pricing.quote(proposal_data.model_copy(update=update)).price

    assert price(risk_level='low') <= price(risk_level='medium') <= price(risk_level='high')
    assert (price(priority='low') <= price(priority='medium') <= price(priority='high')
            <= price(priority='critical'))
    assert price(precision_mode=False) <= price(precision_mode=True)


def test_precision_is_billed_as_time(pricing):
    plain = pricing.quote(proposal('clean_area', parameters={'target': 'kitchen'}))
    careful = pricing.quote(proposal('clean_area', parameters={'target': 'kitchen'},
                                     precision_mode=True))
    assert plain.time_cost == 0.0
    expected = (pricing.precision_time_factor - 1.0) * careful.energy_cost
    assert careful.time_cost == pytest.approx(expected, abs=0.01)
    assert careful.time_cost > 0.0


def test_risk_and_priority_come_from_the_file(pricing):
    quote = pricing.quote(proposal('navigation', risk_level='high', priority='critical'))
    assert quote.risk_cost == pricing.risk_premium_credits.high
    assert quote.priority_surcharge == pricing.priority_surcharge_credits.critical
    assert quote.priority_surcharge > pricing.priority_surcharge_credits.high


def test_typical_tasks_cost_well_below_the_default_bid(pricing):
    for intent in PRICED_INTENTS:
        quote = pricing.quote(proposal(intent))
        assert 0.0 < quote.price < DEFAULT_BID / 2, (intent, quote)
    kitchen = pricing.quote(proposal('clean_area', parameters={'target': 'the kitchen'}))
    assert kitchen.price < DEFAULT_BID / 2


def test_an_expensive_fast_risky_task_exceeds_a_small_bid(pricing):
    cheap = pricing.quote(proposal('pick_place'))
    dear = pricing.quote(proposal('explore', parameters={'target': 'the house'}, speed='fast',
                                  risk_level='high', priority='critical', precision_mode=True))
    assert dear.price > 3 * cheap.price
    assert dear.price > DEFAULT_BID
    assert dear.dearest_part()[0] == 'energy_cost'


def test_stop_is_never_priced(pricing):
    quote = pricing.quote(proposal('stop', priority='critical', speed='fast', risk_level='high'))
    assert quote.unpriced
    assert quote.price == 0.0 and sum(quote.parts().values()) == 0.0
    assert quote == Quote.free()


def test_target_extras_match_whole_value_then_head_word(pricing):
    base = pricing.intents['clean_area'].base_energy_wh
    extras = pricing.intents['clean_area'].target_extra_wh

    def energy(target):
        return pricing.quote(proposal('clean_area', parameters={'target': target})).energy_wh

    assert energy('The Kitchen') == pytest.approx(base + extras['kitchen'])
    assert energy('the living room') == pytest.approx(base + extras['living_room'])
    assert energy('kitchen table') == pytest.approx(base + extras['table'])
    assert energy('spaceship') == pytest.approx(base)
    assert energy('the whole house') > energy('kitchen') > energy('table')


def test_destination_slot_prices_navigation(pricing):
    base = pricing.intents['navigation'].base_energy_wh
    garden = pricing.intents['navigation'].target_extra_wh['garden']
    quote = pricing.quote(proposal('navigation', parameters={'destination': 'the garden'}))
    assert quote.energy_wh == pytest.approx(base + garden)


def test_an_intent_the_file_does_not_list_uses_the_fallback_energy(pricing):
    quote = pricing.quote(proposal('juggle'))
    assert quote.energy_wh == pytest.approx(pricing.fallback_energy_wh)
    assert quote.price > 0.0


def test_compound_instructions_are_priced_step_by_step(pricing):
    payload = TextOpPayload(
        raw_text='wipe the table, then bring me a sponge, then go to the garden',
        intent='clean_area', parameters={'target': 'table'},
        steps=[Step(text='wipe the table', intent='clean_area', parameters={'target': 'table'}),
               Step(text='bring me a sponge', intent='pick_place',
                    parameters={'object': 'sponge'}),
               Step(text='go to the garden', intent='navigation',
                    parameters={'destination': 'garden'})])
    compound = pricing.quote(build_proposal(payload, 'alice'))
    parts = [pricing.quote(proposal(s.intent, parameters=s.parameters)) for s in payload.steps]
    assert compound.energy_wh == pytest.approx(sum(q.energy_wh for q in parts))
    assert compound.wear_cost == pytest.approx(sum(q.wear_cost for q in parts))
    assert compound.price > max(q.price for q in parts)


def test_broken_payload_json_falls_back_to_the_top_level_intent(pricing):
    plain = pricing.quote(proposal('pick_place'))
    assert pricing.quote(proposal('pick_place', payload_json='{not json')) == plain
    assert pricing.quote(proposal('pick_place', payload_json='[1, 2]')) == plain


def test_normalise_target():
    assert normalise_target('  The Living-Room ') == 'living_room'
    assert normalise_target('my kitchen') == 'kitchen'
    assert normalise_target('') == ''


@pytest.mark.parametrize('edit, key', [
    (lambda d: d['speed']['fast'].update(wear_factor=-1.0), 'speed.fast.wear_factor'),
    (lambda d: d['risk_premium_credits'].pop('high'), 'risk_premium_credits.high'),
    (lambda d: d['intents']['pick_place'].update(base_energy=3.0),
     'intents.pick_place.base_energy'),
    (lambda d: d['intents']['navigation'].update(base_energy_wh='lots'),
     'intents.navigation.base_energy_wh'),
    (lambda d: d['intents']['clean_area']['target_extra_wh'].update({'Living Room': 1.0}),
     'intents.clean_area.target_extra_wh'),
    (lambda d: d['intents']['clean_area']['target_extra_wh'].update(attic=-1000.0),
     'intents.clean_area'),
    (lambda d: d.update(unpriced_intents=['adjust_behavior']), 'unpriced_intents'),
    (lambda d: d['accounts'].update(default_balance_credits=-5),
     'accounts.default_balance_credits'),
    (lambda d: d['accounts']['seed_balances_credits'].update(bob=float('nan')),
     'accounts.seed_balances_credits'),
    (lambda d: d.update(precision_time_factor=0.5), 'precision_time_factor'),
    (lambda d: d.update(price_per_kwh=3.0), 'price_per_kwh'),
    (lambda d: d.pop('priority_surcharge_credits'), 'priority_surcharge_credits'),
])
def test_a_bad_econ_file_names_the_dotted_key(tmp_path, edit, key):
    data = packaged_data()
    edit(data)
    path = write_yaml(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        PricingModel.from_file(path)
    assert info.value.field == key
    assert str(path) in str(info.value)


def test_a_file_that_is_not_yaml_or_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / 'econ.yaml'
    path.write_text('speed: [unclosed\n', encoding='utf-8')
    with pytest.raises(ConfigError) as info:
        PricingModel.from_file(path)
    assert info.value.field == '<file>'
    path.write_text('- a list\n', encoding='utf-8')
    with pytest.raises(ConfigError) as info:
        PricingModel.from_file(path)
    assert info.value.field == '<root>'
    with pytest.raises(ConfigError) as info:
        PricingModel.from_file(tmp_path / 'missing.yaml')
    assert info.value.field == '<file>'


def test_a_copied_file_prices_like_the_packaged_one(tmp_path, pricing):
    copy = PricingModel.from_file(write_yaml(tmp_path, packaged_data()))
    sample = proposal('clean_area', parameters={'target': 'garage'}, speed='fast')
    assert copy.quote(sample) == pricing.quote(sample)


def test_the_ontology_intents_are_all_priced(pricing):
    try:
        ontology = yaml.safe_load(config_file('ontology.yaml').read_text(encoding='utf-8'))
    except FileNotFoundError:
        pytest.skip('config/ontology.yaml is not there yet')
    intents = ontology.get('intents') if isinstance(ontology, dict) else None
    if isinstance(intents, list):
        names = [i['name'] if isinstance(i, dict) else i for i in intents]
    elif isinstance(intents, dict):
        names = list(intents)
    else:
        pytest.skip('config/ontology.yaml has no intents list in a known layout')
    missing = [n for n in names if n not in pricing.intents and not pricing.is_unpriced(n)]
    assert not missing, f'intents without a price in econ.yaml: {missing}'


def test_the_pricing_core_imports_no_rclpy(tmp_path):
    code = ('import sys\n'
            'import tfd_ros.econ, tfd_ros.econ.pricing, tfd_ros.econ.ledger\n'
            'import tfd_ros.econ.service, tfd_ros.commands.ledger\n'
            'import json\n'
            'print(json.dumps(sorted(m for m in sys.modules if m.startswith("rclpy"))))\n')
    result = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
