#!/usr/bin/env python3
"""Time the heuristic compiler per instruction over a labelled JSONL file (one core).

Usage: bench_compile.py [FILE.jsonl] [--rounds N]. Pins the process to one CPU when the OS
allows it, warms up with one pass, then times every compile with ``time.perf_counter_ns``
(garbage collector paused while timing) and prints the median, p99 and maximum against the
0.5 ms p99 target.
"""

import argparse
import gc
import json
import os
from pathlib import Path
import statistics
import sys
import time

DEFAULT_FILE = Path(__file__).resolve().parents[2] / 'shared' / 'eval' / 'real_dev.jsonl'
TARGET_P99_MS = 0.5


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('file', nargs='?', default=str(DEFAULT_FILE))
    parser.add_argument('--rounds', type=int, default=3, help='timed passes over the file')
    args = parser.parse_args(argv)
    if hasattr(os, 'sched_setaffinity'):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[0]})
    from tfd_ros.compiler import HeuristicCompiler

    texts = [json.loads(line)['text'] for line in Path(args.file).read_text().splitlines()
             if line.strip()]
    compiler = HeuristicCompiler()
    for text in texts:
        compiler.compile(text)
    samples = []
    gc.collect()
    gc.disable()  # as timeit does: collector pauses are not compile time
    for _ in range(max(1, args.rounds)):
        for text in texts:
            start = time.perf_counter_ns()
            compiler.compile(text)
            samples.append(time.perf_counter_ns() - start)
    gc.enable()
    samples.sort()
    median = statistics.median(samples) / 1e6
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))] / 1e6
    print(f'instructions: {len(texts)} x {args.rounds} rounds = {len(samples)} compiles')
    print(f'median: {median:.3f} ms  p99: {p99:.3f} ms  max: {samples[-1] / 1e6:.3f} ms'
          f'  (target p99 <= {TARGET_P99_MS} ms: {"met" if p99 <= TARGET_P99_MS else "NOT met"})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
