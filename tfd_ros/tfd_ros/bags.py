"""Read and write rosbag2 files of tfd_ros traffic with the pure-Python ``rosbags`` package.

Custom ``tfd_msgs`` types are registered from their ``.msg`` text, found in an installed
``share/tfd_msgs`` or in the source tree beside this package.
"""

import json
import math
import os
from pathlib import Path
import sys
from typing import Iterable, Iterator

from rosbags.rosbag2 import Reader, StoragePlugin, Writer
from rosbags.typesys import Stores, get_types_from_msg
from rosbags.typesys import get_typestore as _base_typestore

INSTRUCTION_TOPIC = '/instruction'
STRING_TYPE = 'std_msgs/msg/String'
OUTPUT_TOPICS = {
    '/instruction_outcome': 'tfd_msgs/msg/InstructionOutcome',
    '/task_proposal': 'tfd_msgs/msg/TaskProposal',
    '/econ_decision': 'tfd_msgs/msg/EconDecision',
    '/condition_vector': 'tfd_msgs/msg/ConditionVector',
}
# Fields that differ on every run by design: time stamps and generated ids.
VOLATILE_FIELDS = frozenset({'header', 'proposal_id', 'stamp'})
_MSG_ORDER = ('ConditionVector', 'TaskProposal', 'EconDecision', 'InstructionOutcome')


def _msg_dirs() -> Iterator[Path]:
    for prefix in [*os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep), sys.prefix]:
        if prefix:
            yield Path(prefix) / 'share' / 'tfd_msgs' / 'msg'
    yield Path(__file__).resolve().parents[2] / 'tfd_msgs' / 'msg'


def tfd_typestore():
    """Return a Kilted typestore with the ``tfd_msgs`` messages registered."""
    store = _base_typestore(Stores.ROS2_KILTED)
    msg_dir = next((d for d in _msg_dirs() if (d / 'InstructionOutcome.msg').is_file()), None)
    if msg_dir is None:
        raise FileNotFoundError('tfd_msgs .msg files not found (is tfd_msgs installed?)')
    for name in _MSG_ORDER:
        text = (msg_dir / f'{name}.msg').read_text(encoding='utf-8')
        store.register(get_types_from_msg(text, f'tfd_msgs/msg/{name}'))
    return store


def write_bag(path: Path, records: Iterable[tuple[str, str, int, bytes]], store=None) -> None:
    """Write ``(topic, msgtype, timestamp_ns, cdr_bytes)`` records to an MCAP bag."""
    store = store or tfd_typestore()
    with Writer(Path(path), version=9, storage_plugin=StoragePlugin.MCAP) as writer:
        connections = {}
        for topic, msgtype, stamp_ns, raw in records:
            if topic not in connections:
                connections[topic] = writer.add_connection(topic, msgtype, typestore=store)
            writer.write(connections[topic], stamp_ns, raw)


def write_instruction_bag(path: Path, timed_texts: Iterable[tuple[float, str]],
                          start_ns: int = 1_700_000_000_000_000_000) -> None:
    """Write an instruction stream: ``(seconds from start, text)`` on ``/instruction``."""
    store = tfd_typestore()
    string = store.types[STRING_TYPE]
    write_bag(path, ((INSTRUCTION_TOPIC, STRING_TYPE, start_ns + int(t * 1e9),
                      bytes(store.serialize_cdr(string(data=text), STRING_TYPE)))
                     for t, text in timed_texts), store)


def read_bag(path: Path, store=None) -> list[tuple[str, int, object]]:
    """Return ``(topic, timestamp_ns, message)`` for every message, in bag order."""
    store = store or tfd_typestore()
    with Reader(Path(path)) as reader:
        return [(conn.topic, stamp, store.deserialize_cdr(raw, conn.msgtype))
                for conn, stamp, raw in reader.messages()]


def normalised(message) -> object:
    """Turn a message into plain data without stamps and ids (for golden comparisons)."""
    if hasattr(message, '__dataclass_fields__'):
        return {name: normalised(getattr(message, name))
                for name in message.__dataclass_fields__
                if name not in VOLATILE_FIELDS and not name.isupper()}
    if isinstance(message, (list, tuple)) or type(message).__name__ == 'ndarray':
        return [normalised(item) for item in message]
    if isinstance(message, float):
        return 'inf' if math.isinf(message) else round(message, 4)
    if hasattr(message, 'item'):  # numpy scalars
        return normalised(message.item())
    if isinstance(message, str) and message.startswith('{'):
        try:
            return normalised_json(json.loads(message))
        except ValueError:
            return message
    return message


def normalised_json(value):
    """Round floats in decoded JSON so that goldens survive float formatting."""
    if isinstance(value, dict):
        return {k: normalised_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised_json(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


def topic_digest(messages: Iterable[tuple[str, int, object]]) -> dict[str, list[str]]:
    """Group normalised messages by topic as sorted JSON lines (order-insensitive)."""
    digest: dict[str, list[str]] = {}
    for topic, _stamp, message in messages:
        digest.setdefault(topic, []).append(json.dumps(normalised(message), sort_keys=True))
    return {topic: sorted(lines) for topic, lines in digest.items()}
