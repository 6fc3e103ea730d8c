"""``tfd bench``: latency, throughput and memory of tfd_node against bare rclpy, in one run."""

import json
from pathlib import Path
import sys

TARGETS = {'topic_p50_ratio': 1.5, 'action_p50_ratio': 2.0, 'throughput_per_s': 1000.0,
           'compile_p99_ms': 0.5, 'rss_mb': 150.0}


def add_arguments(parser):
    """Add the arguments of ``tfd bench``."""
    parser.add_argument('--quick', action='store_true',
                        help='fewer rounds and a smaller flood (fits in about a minute)')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.add_argument('--corpus', type=Path,
                        help='JSONL file of instructions (default: the evaluation set when '
                             'present, else the demo instructions)')
    parser.add_argument('--rounds', type=int, help='round trips per latency measurement')
    parser.add_argument('--flood', type=int, help='instructions in the throughput run')


def _corpus(path):
    from tfd_ros.bench.compile_latency import load_texts
    from tfd_ros.commands.demo import DEMO_INSTRUCTIONS
    candidates = [path] if path else [
        Path.cwd() / '../shared/eval/real_dev.jsonl',
        Path(__file__).resolve().parents[4] / 'shared' / 'eval' / 'real_dev.jsonl']
    for candidate in candidates:
        if candidate and candidate.is_file():
            return load_texts(candidate), str(candidate.resolve())
    return list(DEMO_INSTRUCTIONS), 'demo instructions'


def run(args) -> int:
    """Run the benchmarks, print a table (or JSON), exit 0."""
    from tfd_ros.bench.compile_latency import compile_latency
    from tfd_ros.bench.run import run_all
    texts, source = _corpus(args.corpus)
    rounds = args.rounds or (100 if args.quick else 500)
    flood = args.flood or (2000 if args.quick else 10000)
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else print
    log(f'corpus: {len(texts)} instructions from {source}')
    compile_stats = compile_latency(texts, repeats=1 if args.quick else 3)
    log(f'compile: p50 {compile_stats["compile_p50_ms"]:.4f} ms  '
        f'p99 {compile_stats["compile_p99_ms"]:.4f} ms')
    report = run_all(texts, rounds, flood, log, flood_s=5.0 if args.quick else 10.0)
    report.update(compile_stats)
    report['corpus'] = source
    if args.json:
        print(json.dumps(report, allow_nan=False, default=float))
        return 0
    rss = max(report['rss_mb'].values())
    rows = [('topic p50 ratio (no econ)', report['topic_p50_ratio'], '<=', 'topic_p50_ratio'),
            ('action p50 ratio', report['action_p50_ratio'], '<=', 'action_p50_ratio'),
            ('throughput /s (lost must be 0)', report['throughput_per_s'], '>=',
             'throughput_per_s'),
            ('compile p99 ms', report['compile_p99_ms'], '<=', 'compile_p99_ms'),
            ('peak RSS MB (max of nodes)', rss, '<=', 'rss_mb')]
    print(f'\n{"measure":34} {"value":>10} {"target":>10}  met')
    for label, value, op, key in rows:
        met = value <= TARGETS[key] if op == '<=' else value >= TARGETS[key]
        print(f'{label:34} {value:10.3f} {op}{TARGETS[key]:>8g}  {"yes" if met else "no"}')
    print(f'{"lost instructions":34} {report["lost"]:10d} {"==":>3}{0:>7}  '
          f'{"yes" if report["lost"] == 0 else "no"}')
    over = report['overload']
    print(f'{"lost in the 5x flood":34} {over["lost"]:10d} {"==":>3}{0:>7}  '
          f'{"yes" if over["lost"] == 0 else "no"}')
    print(f'flood at 5x: {over["send_rate_per_s"]:.0f} /s sent for {over["duration_s"]:g} s, '
          f'{over["shed"]} shed, {over["accepted"]} accepted, RSS '
          f'{over["rss_before_mb"]:.0f} -> {over["rss_peak_mb"]:.0f} MB')
    print('topic p50 ratio against an echo with the executor entities of tfd_node: '
          f'{report["topic_p50_ratio_like_tfd"]:.2f}')
    print(f'topic p50 ratio with econ approval: {report["topic_econ_p50_ratio"]:.2f}')
    return 0
