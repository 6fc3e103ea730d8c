"""Compile latency of the heuristic compiler per instruction (one core, warm)."""

import json
from pathlib import Path
import statistics
import time


def load_texts(path: Path, limit: int = 0) -> list[str]:
    """Return the ``text`` of each line of a JSONL file (at most ``limit`` when > 0)."""
    texts = []
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)['text'])
    return texts[:limit] if limit else texts


def percentile(values, fraction: float) -> float:
    """Return the ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def compile_latency(texts: list[str], repeats: int = 3) -> dict:
    """Time each compile (ms) after a warm-up pass; return median and p99."""
    from tfd_ros.compiler import HeuristicCompiler
    compiler = HeuristicCompiler()
    for text in texts:
        compiler.compile(text)
    samples = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter_ns()
            compiler.compile(text)
            samples.append((time.perf_counter_ns() - start) / 1e6)
    return {'n': len(samples), 'compile_p50_ms': statistics.median(samples),
            'compile_p99_ms': percentile(samples, 0.99)}
