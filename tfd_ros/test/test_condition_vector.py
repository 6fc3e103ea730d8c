"""ConditionVector: documented scalars, objective weights, layout and distinctness."""

import itertools
import math

import numpy as np
import pytest

from tfd_ros.compiler import HeuristicCompiler
from tfd_ros.condition_vector import (
    ENERGY_UNLIMITED_CODE,
    GOAL_HASH_DIM,
    LAYOUT_VERSION,
    PRIORITY_VALUE,
    SCALAR_FIELDS,
    ConditionVectorBuilder,
    ConditionVectorData,
)
from tfd_ros.config import TFDConfig
from tfd_ros.payload import TextOpPayload


@pytest.fixture(scope='module')
def hc():
    return HeuristicCompiler()


@pytest.fixture(scope='module')
def builder(hc):
    return ConditionVectorBuilder(TFDConfig(), hc.ontology)


def build(hc, builder, text):
    return builder.build(hc.compile(text), proposal_id='p-1')


def test_fields_match_the_message_definition():
    from tfd_ros.paths import share_dirs
    msg = None
    for share in share_dirs():
        candidate = share.parent / 'tfd_msgs' / 'msg' / 'ConditionVector.msg'
        if candidate.is_file():
            msg = candidate
            break
    if msg is None:
        pytest.skip('tfd_msgs/msg/ConditionVector.msg not found next to the package')
    names = []
    for line in msg.read_text().splitlines():
        parts = line.split('#')[0].split()
        if len(parts) == 2 and '=' not in parts[1]:
            names.append(parts[1])
    names.remove('header')
    assert names == list(ConditionVectorData.model_fields)


def test_documented_scalars(hc, builder):
    cv = build(hc, builder, 'Sort the blue blocks quickly')
    assert cv.skill_mode == 'precision_sorting'
    assert cv.instruction_priority == PRIORITY_VALUE['high'] == 0.75
    assert cv.risk_tolerance == 0.8
    assert cv.proposal_id == 'p-1'
    stop = build(hc, builder, 'Stop!')
    assert stop.instruction_priority == 1.0
    assert stop.safety_language_modulation == 1.0
    careful = build(hc, builder, 'Gently wipe the screen')
    assert careful.safety_language_modulation > 0.5
    assert careful.precision_mode is True


def test_energy_budget_inf_only_in_model_and_null_in_json(hc, builder):
    cv = build(hc, builder, 'Vacuum the hall, whatever it costs')
    assert math.isinf(cv.energy_budget_wh)
    data = cv.to_json_dict()
    assert data['energy_budget_wh'] is None and data['energy_unlimited'] is True
    arr = builder.to_array(cv)
    assert np.isfinite(arr).all()
    assert arr[3] == ENERGY_UNLIMITED_CODE
    finite = build(hc, builder, 'Vacuum the hall')
    assert 0.0 < finite.energy_budget_wh < math.inf
    assert 0.0 < builder.to_array(finite)[3] <= 1.0
    fast = build(hc, builder, 'Vacuum the hall quickly')
    assert fast.energy_budget_wh > finite.energy_budget_wh


def test_objective_weights(hc, builder):
    names = builder.config.feature_names
    cv = build(hc, builder, 'Sort the blue blocks, ignore the red ones.')
    w = dict(zip(names, cv.objective_vector))
    assert w['blue'] == 1.0 and w['red'] == -1.0
    careful = dict(zip(names, build(hc, builder, 'Carefully open the cabinet').objective_vector))
    plain = dict(zip(names, build(hc, builder, 'Open the cabinet').objective_vector))
    assert careful['safety'] > plain['safety'] and careful['precision'] > plain['precision']
    fast = dict(zip(names, build(hc, builder, 'Open the cabinet fast').objective_vector))
    assert fast['speed'] > plain['speed']
    free = dict(zip(names, build(hc, builder, 'Open the cabinet, energy is no concern')
                    .objective_vector))
    assert free['energy'] == 0.0 < plain['energy']
    for v in (cv, ):
        assert all(-1.0 <= x <= 1.0 for x in v.objective_vector)
        assert len(v.objective_vector) == len(v.feature_names)


def test_feature_vocabulary_comes_from_config(hc):
    builder = ConditionVectorBuilder(TFDConfig(feature_names=['red', 'safety', 'wobble']),
                                     hc.ontology)
    cv = builder.build(hc.compile('Ignore the red ones and sort the rest of the blocks'))
    assert cv.feature_names == ['red', 'safety', 'wobble']
    assert cv.objective_vector[0] == -1.0
    assert cv.objective_vector[2] == 0.0


def test_layout_is_versioned_and_sized(hc, builder):
    assert LAYOUT_VERSION == 1
    cv = build(hc, builder, 'Open the drawer')
    arr = builder.to_array(cv)
    assert arr.dtype == np.float32
    assert len(builder.layout()) == len(arr)
    assert builder.layout()[:len(SCALAR_FIELDS)] == list(SCALAR_FIELDS)
    expected = len(SCALAR_FIELDS) + len(builder.skill_modes) + len(cv.feature_names) \
        + GOAL_HASH_DIM
    assert len(arr) == expected
    skill = builder.layout().index('skill:articulated_manipulation')
    assert arr[skill] == 1.0


TEXTS = ['Clean the kitchen', 'Clean the bedroom', 'Clean the kitchen carefully',
         'Go to the kitchen', 'Sort the blue blocks', 'Sort the red blocks', 'Stop!',
         'Figure out how to open that weird new latch.', 'Explore the basement',
         'Turn on the radio', 'Slow down', 'Hurry up', 'What a lovely day.',
         'Bring me the remote', 'Bring me the screwdriver']


def test_different_instructions_give_different_nonzero_vectors(hc, builder):
    arrays = {t: builder.to_array(build(hc, builder, t)) for t in TEXTS}
    for text, arr in arrays.items():
        assert np.any(arr != 0.0), text
    for a, b in itertools.combinations(TEXTS, 2):
        assert not np.array_equal(arrays[a], arrays[b]), (a, b)


def test_builder_uses_payload_weights_from_any_compiler(hc, builder):
    payload = TextOpPayload(raw_text='x', intent='inspection',
                            objective_weights={'novelty': 0.7})
    cv = builder.build(payload)
    w = dict(zip(cv.feature_names, cv.objective_vector))
    assert w['novelty'] == pytest.approx(0.7)


def test_not_understood_gets_idle_skill(hc, builder):
    cv = build(hc, builder, 'qwerty uiop')
    assert cv.skill_mode == 'idle'
    assert cv.energy_budget_wh == 0.0


@pytest.mark.parametrize('text', [
    'Clean the kitchen, but be careful with the vase.', "Go fast, I don't care about energy.",
    'Figure out how to open that weird new latch.', 'Sort the blue blocks, ignore the red ones.',
    'Stop!', 'Slowly hand me the red cup, then put the knife in the drawer.', 'blorp'])
def test_vectors_and_proposals_built_unvalidated_pass_validation(hc, builder, text):
    from tfd_ros.proposal import TaskProposalData, build_proposal
    payload = hc.compile(text)
    vector = builder.build(payload, 'id-1')
    assert ConditionVectorData.model_validate(vector.model_dump()) == vector
    if payload.understood:
        proposal = build_proposal(payload, 'op', 'id-1')
        assert TaskProposalData.model_validate(proposal.model_dump()) == proposal
        assert TextOpPayload.from_json(proposal.payload_json) == payload
