"""Regenerate the replay test bags: instruction streams and the golden recordings of outputs.

Usage: .venv/bin/python tools/make_bags.py [--only NAME]
Reads tfd_ros/test/data/streams.yaml and writes the bag tfd_ros/test/data/bags/<name>/; then
starts the nodes as processes, replays each bag into them and records the answers to
tfd_ros/test/data/golden/<name>/ (rosbag2 folders with MCAP storage).
Run it after a deliberate change of compiler, safety or pricing behaviour, and review the diff
that `pytest test/test_rosbag_replay.py` reported before.
"""

import argparse
import os
from pathlib import Path
import random
import shutil
import sys
import tempfile

import yaml

DATA = Path(__file__).resolve().parents[1] / 'tfd_ros' / 'test' / 'data'


def main() -> int:
    """Write every stream's bag and golden."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', help='regenerate one stream')
    args = parser.parse_args()
    os.environ.setdefault('ROS_DOMAIN_ID', str(random.SystemRandom().randint(101, 200)))
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    from tfd_ros.bags import read_bag, write_instruction_bag
    from tfd_ros.replay import replay_through_nodes
    streams = yaml.safe_load((DATA / 'streams.yaml').read_text(encoding='utf-8'))
    for folder in ('bags', 'golden'):
        (DATA / folder).mkdir(exist_ok=True)
    for name, stream in streams.items():
        if args.only and name != args.only:
            continue
        bag_in, golden = DATA / 'bags' / name, DATA / 'golden' / name
        for path in (bag_in, golden):
            if path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        write_instruction_bag(bag_in, [(i * stream['period_s'], text)
                                       for i, text in enumerate(stream['texts'])])
        with tempfile.TemporaryDirectory() as work:
            counts = replay_through_nodes(bag_in, golden, Path(work))
        if counts['outcomes'] != counts['instructions']:
            print(f'{name}: {counts}: not every instruction got an outcome', file=sys.stderr)
            return 1
        print(f'{name}: {counts["instructions"]} instructions, {len(read_bag(golden))} '
              f'recorded messages -> {golden.relative_to(DATA.parents[1])}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
