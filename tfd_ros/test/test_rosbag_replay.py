"""Replay recorded instruction bags into the nodes and compare the outputs with golden bags."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.ros, pytest.mark.slow]

rclpy = pytest.importorskip('rclpy')
pytest.importorskip('rosbags')

DATA = Path(__file__).resolve().parent / 'data'
STREAMS = sorted(p.name for p in (DATA / 'bags').iterdir()) if (DATA / 'bags').is_dir() else []


def test_bags_exist():
    assert STREAMS, 'no bags in test/data/bags: run tools/make_bags.py'
    for name in STREAMS:
        assert list((DATA / 'bags' / name).glob('*.mcap'))
        assert list((DATA / 'golden' / name).glob('*.mcap'))


@pytest.mark.parametrize('name', STREAMS)
def test_replay_matches_golden(name, tmp_path):
    from tfd_ros.bags import read_bag, topic_digest
    from tfd_ros.replay import replay_through_nodes
    out = tmp_path / 'out'
    counts = replay_through_nodes(DATA / 'bags' / name, out, tmp_path,
                                  namespace=f'/replay_{name}')
    assert counts['outcomes'] == counts['instructions'] > 0
    got, want = topic_digest(read_bag(out)), topic_digest(read_bag(DATA / 'golden' / name))
    assert sorted(got) == sorted(want)
    for topic in want:
        missing = [line for line in want[topic] if line not in got[topic]]
        extra = [line for line in got[topic] if line not in want[topic]]
        assert not missing and not extra, (
            f'{topic} differs from the golden bag (tools/make_bags.py regenerates it):\n'
            f'missing: {missing[:2]}\nextra: {extra[:2]}')
