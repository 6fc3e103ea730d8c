"""Semantic compilers: operator text -> ``TextOpPayload``.

``SemanticCompiler`` is the protocol every backend follows; ``HeuristicCompiler`` is the
deterministic, offline backend driven by ``config/ontology.yaml``.
"""

from typing import Protocol, runtime_checkable

from tfd_ros.compiler.heuristic import HeuristicCompiler
from tfd_ros.payload import TextOpPayload


@runtime_checkable
class SemanticCompiler(Protocol):
    """A compiler backend: ``name`` and ``compile(text) -> TextOpPayload``."""

    name: str

    def compile(self, text: str) -> TextOpPayload:
        """Compile one instruction."""
        ...


def make_compiler(name: str = 'heuristic', ontology=None, config=None) -> SemanticCompiler:
    """Return the compiler called ``name`` (only ``heuristic`` is built in here)."""
    if name == 'heuristic':
        return HeuristicCompiler(ontology=ontology, config=config)
    raise ValueError(f'unknown compiler {name!r} (available: heuristic)')


__all__ = ['HeuristicCompiler', 'SemanticCompiler', 'make_compiler']
