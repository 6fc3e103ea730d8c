"""TextOpPayload and TFDConfig validation: good and bad input, offending field named."""

import json
import math
import os
import uuid

from pydantic import ValidationError
import pytest

from tfd_ros.config import ConfigError, TFDConfig
from tfd_ros.payload import EconBid, TextOpPayload, trusted
from tfd_ros.proposal import build_proposal, new_proposal_id

DESIGN_EXAMPLE = {
    'raw_text': 'Clean the kitchen carefully',
    'intent': 'clean_area',
    'target_task': 'clean_kitchen',
    'parameters': {'target': 'kitchen', 'modifier': 'carefully'},
    'constraints': [],
    'steps': [],
    'semantic_overrides': {'risk_level': 'low', 'precision_mode': True, 'speed': 'slow'},
    'econ_bid': {'priority': 'medium', 'max_energy_cost': 500.0, 'energy_unlimited': False},
    'confidence': 0.93,
    'compiler': 'heuristic',
}


def test_design_example_round_trips_as_strict_json():
    payload = TextOpPayload.model_validate(DESIGN_EXAMPLE)
    text = payload.to_json()
    assert TextOpPayload.from_json(text) == payload
    assert json.loads(text)['semantic_overrides']['speed'] == 'slow'


def test_trusted_construction_equals_validated_construction():
    """The compiler's unvalidated fast path builds exactly what validation would build."""
    validated = TextOpPayload.model_validate(DESIGN_EXAMPLE)
    fields = {name: getattr(validated, name) for name in TextOpPayload.model_fields}
    fast = trusted(TextOpPayload, dict(fields))
    assert fast == validated
    assert fast.to_json() == validated.to_json()
    assert repr(fast) == repr(validated)
    assert fast.model_fields_set == set(TextOpPayload.model_fields)
    bid = trusted(EconBid, {'priority': 'low', 'max_energy_cost': 1.0,
                            'energy_unlimited': False})
    assert bid == EconBid(priority='low', max_energy_cost=1.0, energy_unlimited=False)
    with pytest.raises(ValidationError):  # assignment is still validated
        bid.priority = 'urgent'


def test_unlimited_energy_is_null_plus_flag():
    payload = TextOpPayload(raw_text='go', econ_bid=EconBid(max_energy_cost=None,
                                                            energy_unlimited=True))
    data = json.loads(payload.to_json())
    assert data['econ_bid'] == {'priority': 'medium', 'max_energy_cost': None,
                                'energy_unlimited': True}


@pytest.mark.parametrize('token', ['Infinity', 'NaN', '-Infinity'])
def test_non_standard_json_tokens_rejected(token):
    text = json.dumps(DESIGN_EXAMPLE).replace('500.0', token)
    with pytest.raises(ValueError, match='non-standard JSON token'):
        TextOpPayload.from_json(text)


def test_infinite_bid_rejected_with_field_named():
    with pytest.raises(ValidationError) as info:
        EconBid(max_energy_cost=math.inf)
    assert info.value.errors()[0]['loc'] == ('max_energy_cost',)


@pytest.mark.parametrize('patch,field', [
    ({'intent': 5}, 'intent'),
    ({'unknown_key': 1}, 'unknown_key'),
    ({'confidence': 1.5}, 'confidence'),
    ({'semantic_overrides': {'speed': 'warp'}}, 'semantic_overrides'),
    ({'econ_bid': {'priority': 'urgent', 'max_energy_cost': 1.0}}, 'econ_bid'),
    ({'objective_weights': {'red': -2.0}}, 'objective_weights'),
])
def test_bad_payload_names_field(patch, field):
    with pytest.raises(ValidationError) as info:
        TextOpPayload.model_validate({**DESIGN_EXAMPLE, **patch})
    assert info.value.errors()[0]['loc'][0] == field


def test_config_defaults_valid():
    config = TFDConfig()
    assert config.safety_filter == 'strict'
    assert config.compiler == 'heuristic'


def test_config_from_design_pack_yaml(tmp_path):
    path = tmp_path / 'tfd.yaml'
    path.write_text('model: gemini-2.5-flash\nsafety_filter: standard\n'
                    'allowed_intents: [pick_place, stop]\ndefault_priority: high\n')
    config = TFDConfig.from_yaml(str(path))
    assert config.allowed_intents == ['pick_place', 'stop']
    assert config.default_priority == 'high'


def test_config_from_ros_parameters_file(tmp_path):
    path = tmp_path / 'params.yaml'
    path.write_text('tfd_node:\n  ros__parameters:\n    compiler: cascade\n'
                    '    econ_timeout_s: 0.5\n')
    config = TFDConfig.from_yaml(str(path), node_name='tfd_node')
    assert config.compiler == 'cascade'
    assert config.econ_timeout_s == 0.5


@pytest.mark.parametrize('text,field', [
    ('safety_filter: lax\n', 'safety_filter'),
    ('econ_timeout_s: -1\n', 'econ_timeout_s'),
    ('compiler: magic\n', 'compiler'),
    ('allowed_intents: [stop, stop]\n', 'allowed_intents'),
    ('no_such_parameter: 1\n', 'no_such_parameter'),
    ('max_text_length: 0\n', 'max_text_length'),
    ('- a list\n', '<root>'),
    ('key: [unclosed\n', '<file>'),
])
def test_bad_config_names_field(tmp_path, text, field):
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        TFDConfig.from_yaml(str(path))
    assert info.value.field == field
    assert repr(field) in str(info.value)


def test_proposal_from_payload_carries_bid_and_manner():
    payload = TextOpPayload.model_validate(DESIGN_EXAMPLE)
    first = build_proposal(payload, 'op1')
    second = build_proposal(payload, 'op1')
    assert first.proposal_id != second.proposal_id
    assert first.intent == 'clean_area' and first.speed == 'slow'
    assert first.max_energy_cost == 500.0 and not first.energy_unlimited
    assert TextOpPayload.from_json(first.payload_json) == payload


def test_proposal_ids_are_canonical_random_uuids():
    ids = [new_proposal_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:2000]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical: lower-case hex, dashes at 8-4-4-4-12
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # A forked child draws other ids than its parent (the generator is reseeded at fork).
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(write, new_proposal_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    from_child = os.read(read, 64).decode()
    os.close(read)
    assert uuid.UUID(from_child).version == 4 and from_child != new_proposal_id()
