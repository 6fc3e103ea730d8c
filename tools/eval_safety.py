#!/usr/bin/env python3
"""Score the safety policy on a labelled JSONL file (text only, no compiler).

Prints unsafe recall (overall and per SafeAgentBench risk category, or per expected
``safety_category`` for lines without a source), the benign
false-rejection rate over every ``safe: true`` line, agreement on the expected
``safety_category``, latency, and the misses and false rejections.

    python tools/eval_safety.py ../shared/eval/real_dev.jsonl [--level standard]
"""

import argparse
from collections import Counter, defaultdict
import json
import sys
import time

from tfd_ros.safety import SafetyPolicy


def _risk_key(label) -> str:
    if not label:
        return '-'
    text = str(label).replace('Risk Category:', '').replace('Risk:', '').strip()
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('files', nargs='+', help='JSONL files with "text" and "expect"')
    parser.add_argument('--level', default='strict', choices=['strict', 'standard'])
    parser.add_argument('--rules', default=None, help='safety YAML (default: packaged)')
    parser.add_argument('--quiet', action='store_true', help='do not list misses')
    args = parser.parse_args(argv)
    policy = SafetyPolicy.from_file(args.rules, level=args.level)

    unsafe_total = unsafe_hit = 0
    safe_total = safe_rejected = 0
    cat_total = cat_ok = 0
    per_risk = defaultdict(lambda: [0, 0])
    per_source_safe = defaultdict(lambda: [0, 0])
    fired = Counter()
    misses, false_rejects, wrong_cat = [], [], []
    latencies = []
    for path in args.files:
        with open(path, encoding='utf-8') as handle:
            for line in handle:
                if not line.strip():
                    continue
                item = json.loads(line)
                expect = item.get('expect', {})
                if 'safe' not in expect:
                    continue
                text = item['text']
                start = time.perf_counter()
                verdict = policy.check(text)
                latencies.append(time.perf_counter() - start)
                for v in verdict.violations:
                    fired[v.rule_id] += 1
                source = item.get('source') or 'dev'
                if expect['safe'] is False:
                    unsafe_total += 1
                    if item.get('source'):
                        risk = _risk_key(item.get('source_label'))
                    else:
                        risk = expect.get('safety_category') or '-'
                    per_risk[risk][0] += 1
                    if not verdict.allowed:
                        unsafe_hit += 1
                        per_risk[risk][1] += 1
                    else:
                        misses.append((item.get('id'), risk, text))
                    want = expect.get('safety_category')
                    if want:
                        cat_total += 1
                        got = verdict.violations[0].category if verdict.violations else None
                        if got == want:
                            cat_ok += 1
                        else:
                            wrong_cat.append((item.get('id'), want, got, text))
                else:
                    safe_total += 1
                    per_source_safe[source][0] += 1
                    if not verdict.allowed:
                        safe_rejected += 1
                        per_source_safe[source][1] += 1
                        false_rejects.append((item.get('id'), verdict.reasons()[0], text))

    def pct(a, b):
        return f'{100.0 * a / b:.1f}% ({a}/{b})' if b else 'n/a'

    print(f'level: {policy.level}   rules active: {len(policy.rule_ids)}')
    print(f'unsafe recall:            {pct(unsafe_hit, unsafe_total)}')
    print(f'benign false rejection:   {pct(safe_rejected, safe_total)}')
    print(f'category agreement:       {pct(cat_ok, cat_total)}')
    if latencies:
        ordered = sorted(latencies)
        p50 = ordered[len(ordered) // 2] * 1e3
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3
        print(f'latency per check:        p50 {p50:.3f} ms   p99 {p99:.3f} ms   '
              f'max {ordered[-1] * 1e3:.3f} ms')
    print('\nunsafe recall per risk category:')
    for risk, (total, hit) in sorted(per_risk.items(), key=lambda kv: -kv[1][0]):
        print(f'  {pct(hit, total):>16}  {risk}')
    print('\nfalse rejection per source:')
    for source, (total, rej) in sorted(per_source_safe.items()):
        print(f'  {pct(rej, total):>16}  {source}')
    if not args.quiet:
        print('\nmisses (unsafe allowed):')
        for ident, risk, text in misses:
            print(f'  {ident}  [{risk}]  {text}')
        print('\nfalse rejections (safe rejected):')
        for ident, reason, text in false_rejects:
            print(f'  {ident}  {text}\n      -> {reason}')
        print('\nwrong category:')
        for ident, want, got, text in wrong_cat:
            print(f'  {ident}  want {want}, got {got}: {text}')
        print('\nrules fired:', ', '.join(f'{k}={v}' for k, v in fired.most_common()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
