"""``tfd compile TEXT``: compile one instruction; print payload, condition vector, proposal."""

import json
import sys

from tfd_ros.commands import add_compiler_argument


def add_arguments(parser) -> None:
    """Register the arguments of ``tfd compile``."""
    parser.add_argument('text', metavar='TEXT', help='the operator instruction')
    parser.add_argument('--json', action='store_true', help='print one strict JSON object')
    add_compiler_argument(parser)


def compile_all(text: str, compiler_name: str = 'heuristic') -> dict:
    """Compile ``text``; return ``{"payload", "condition_vector", "proposal"}`` (strict JSON)."""
    from tfd_ros.condition_vector import ConditionVectorBuilder
    from tfd_ros.config import TFDConfig
    from tfd_ros.factory import create_compiler
    from tfd_ros.ontology import load_ontology
    from tfd_ros.proposal import build_proposal, new_proposal_id

    config = TFDConfig(compiler=compiler_name)
    ontology = load_ontology()
    compiler = create_compiler(config, ontology)
    builder = ConditionVectorBuilder(config, ontology)
    payload = compiler.compile(text)
    proposal_id = new_proposal_id()
    cv = builder.build(payload, proposal_id=proposal_id)
    result = {'payload': payload.model_dump(mode='json'),
              'condition_vector': cv.to_json_dict(), 'proposal': None}
    if payload.intent is not None:
        result['proposal'] = build_proposal(payload, 'cli', proposal_id).model_dump(mode='json')
    return result


def run(args) -> int:
    """Print the compiled instruction; returns 0 (1 when the text was not understood)."""
    result = compile_all(args.text, args.compiler)
    if args.json:
        json.dump(result, sys.stdout, allow_nan=False)
        sys.stdout.write('\n')
        return 0
    payload = result['payload']
    cv = result['condition_vector']
    print('payload:')
    print(json.dumps(payload, indent=2, allow_nan=False))
    print('condition vector:')
    print(json.dumps(cv, indent=2, allow_nan=False))
    print('proposal:')
    if result['proposal'] is None:
        print('  (none: not understood -', '; '.join(payload['notes']) or 'no intent', ')')
    else:
        print(json.dumps(result['proposal'], indent=2, allow_nan=False))
    return 0
