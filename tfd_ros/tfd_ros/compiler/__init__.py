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


__all__ = ['HeuristicCompiler', 'SemanticCompiler']
