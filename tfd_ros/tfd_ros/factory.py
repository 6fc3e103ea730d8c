"""Assemble the pure pipeline from a ``TFDConfig`` (ontology, compiler, safety, builder)."""

from typing import Optional

from tfd_ros.compiler import HeuristicCompiler, SemanticCompiler
from tfd_ros.condition_vector import ConditionVectorBuilder
from tfd_ros.config import TFDConfig
from tfd_ros.ontology import Ontology, load_ontology
from tfd_ros.pipeline import InstructionPipeline
from tfd_ros.safety import SafetyPolicy


def create_compiler(config: TFDConfig, ontology: Ontology) -> SemanticCompiler:
    """Return the compiler named by ``config.compiler``."""
    heuristic = HeuristicCompiler(ontology=ontology, config=config)
    if config.compiler == 'heuristic':
        return heuristic
    from tfd_ros.compiler.llm import create_llm_compiler
    return create_llm_compiler(config, ontology, heuristic)


def build_pipeline(config: TFDConfig,
                   safety: Optional[SafetyPolicy] = None) -> InstructionPipeline:
    """Build the pipeline; ``safety`` reuses an already loaded policy (never reloaded)."""
    ontology = load_ontology(config.ontology_file or None)
    if safety is None:
        safety = SafetyPolicy.from_file(config.safety_file or None, level=config.safety_filter)
    return InstructionPipeline(config, create_compiler(config, ontology), safety,
                               ConditionVectorBuilder(config, ontology))
