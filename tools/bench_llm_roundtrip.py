#!/usr/bin/env python3
"""
Measure the latency one LLM round trip adds to compiling an instruction.

The real google-genai client talks to the loopback Gemini stand-in of the test suite
(``tfd_ros/test/support/fake_gemini.py``), so this measures the client, HTTP, JSON-schema
validation and payload assembly, not a remote model. Prints medians over ``--calls`` calls of
the heuristic compiler alone and of the ``llm`` compiler (heuristic + one round trip).

Usage: .venv/bin/python tools/bench_llm_roundtrip.py [--calls 50]
"""

import argparse
from pathlib import Path
import statistics
import sys
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tfd_ros' / 'test'))

from support.fake_gemini import FakeGemini  # noqa: E402

from tfd_ros.compiler import HeuristicCompiler  # noqa: E402
from tfd_ros.compiler.llm import create_llm_compiler  # noqa: E402
from tfd_ros.config import TFDConfig  # noqa: E402
from tfd_ros.ontology import load_ontology  # noqa: E402

TEXT = 'Clean the kitchen carefully, but mind the vase'
ANSWER = {'intent': 'clean_area', 'target': 'kitchen', 'modifiers': ['careful'],
          'careful_with': ['vase'], 'confidence': 0.9}


def median_ms(compile_once, calls: int) -> float:
    compile_once()  # warm-up: first connection, imports, schema caches
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        compile_once()
        samples.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--calls', type=int, default=50, help='timed calls per compiler')
    args = parser.parse_args(argv)
    ontology = load_ontology()
    config = TFDConfig(compiler='llm', llm_timeout_s=5.0, llm_max_retries=0)
    heuristic = HeuristicCompiler(ontology=ontology, config=config)
    with FakeGemini(answer=ANSWER) as server:
        llm = create_llm_compiler(config, ontology, heuristic, api_key='bench-key',
                                  base_url=server.base_url)
        probe = llm.compile(TEXT)
        if probe.compiler != 'llm':
            print(f'llm round trip failed: {probe.notes}', file=sys.stderr)
            return 1
        heuristic_ms = median_ms(lambda: heuristic.compile(TEXT), args.calls)
        llm_ms = median_ms(lambda: llm.compile(TEXT), args.calls)
        requests = len(server.requests)
    print(f'calls per compiler:            {args.calls}')
    print(f'heuristic alone, median:       {heuristic_ms:8.3f} ms')
    print(f'llm (loopback), median:        {llm_ms:8.3f} ms')
    print(f'added by one LLM round trip:   {llm_ms - heuristic_ms:8.3f} ms '
          f'(x{llm_ms / heuristic_ms:.1f})')
    print(f'requests served:               {requests}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
