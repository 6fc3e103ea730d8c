"""``tfd eval FILE.jsonl``: per-field accuracy of the compiler (and safety policy) on a file."""

import json
import sys

from tfd_ros.commands import add_compiler_argument


def add_arguments(parser) -> None:
    """Register the arguments of ``tfd eval``."""
    parser.add_argument('file', metavar='FILE.jsonl', help='labelled instructions (JSONL)')
    parser.add_argument('--json', action='store_true', help='print the result as one JSON object')
    add_compiler_argument(parser)
    parser.add_argument('--misses', type=int, default=20, metavar='N',
                        help='misses to list in the table output (default: 20)')
    parser.add_argument('--no-safety', action='store_true',
                        help='skip the safety fields even when a safety policy is available')
    parser.add_argument('--safety-level', default='strict', choices=('strict', 'standard'),
                        help='safety policy level when tfd_ros.safety is available')


def safety_checker(level: str = 'strict'):
    """Return ``check(text, payload) -> (allowed, categories)`` or ``None`` without a policy."""
    try:
        from tfd_ros.safety import SafetyPolicy
    except ImportError:
        return None
    try:
        policy = SafetyPolicy.from_file(None, level=level)
    except Exception as exc:  # noqa: B902 - a broken policy file must not stop the scoring
        print(f'safety policy unavailable, safety fields skipped: {exc}', file=sys.stderr)
        return None

    def check(text, payload):
        verdict = policy.check(text, payload)
        return verdict.allowed, [v.category for v in verdict.violations]
    return check


def run(args) -> int:
    """Evaluate and print the report; returns 0."""
    from tfd_ros.condition_vector import ConditionVectorBuilder
    from tfd_ros.config import TFDConfig
    from tfd_ros.evaluate import evaluate, load_records
    from tfd_ros.factory import create_compiler
    from tfd_ros.ontology import load_ontology

    config = TFDConfig(compiler=args.compiler)
    ontology = load_ontology()
    compiler = create_compiler(config, ontology)
    builder = ConditionVectorBuilder(config, ontology)
    records = load_records(args.file)
    check = None if args.no_safety else safety_checker(args.safety_level)
    result = evaluate(records, compiler, builder, check)
    if args.json:
        json.dump(result, sys.stdout, allow_nan=False)
        sys.stdout.write('\n')
        return 0
    print(format_report(result, args.misses))
    return 0


def _row(name: str, entry: dict) -> str:
    return f'  {name:<24} {entry["correct"]:>5}/{entry["total"]:<5} {entry["accuracy"]:7.1%}'


def format_report(result: dict, max_misses: int = 20) -> str:
    """Render the evaluation dict as a human-readable table."""
    lines = [f'instructions: {result["n"]}', '', 'per field:']
    for name, entry in result['fields'].items():
        lines.append(_row(name, entry))
    lines.append(_row('OVERALL', result['overall']))
    lines.append(_row('OVERALL (non-safety)', result['overall_non_safety']))
    for source, table in result['by_source'].items():
        lines += ['', f'source: {source}']
        for name, entry in table.items():
            lines.append(_row(name, entry))
    safety = result.get('safety')
    if safety:
        lines += ['', 'safety:',
                  f'  unsafe rejected {safety["unsafe_rejected"]}/{safety["unsafe_total"]}'
                  f' (recall {safety["recall"]:.1%}); benign rejected'
                  f' {safety["benign_rejected"]}/{safety["benign_total"]}'
                  f' (false rejection rate {safety["false_rejection_rate"]:.1%})']
        for cat, entry in safety['by_category'].items():
            lines.append(f'  {cat:<32} {entry["rejected"]:>4}/{entry["total"]:<4}'
                         f' {entry["recall"]:7.1%}')
    misses = result['misses']
    if misses and max_misses > 0:
        lines += ['', f'misses ({len(misses)}, first {min(max_misses, len(misses))}):']
        for miss in misses[:max_misses]:
            lines.append(f'  {miss["id"]:<12} {miss["field"]:<18} expected={miss["expected"]!r}'
                         f' got={miss["got"]!r}  | {miss["text"]}')
    return '\n'.join(lines)
