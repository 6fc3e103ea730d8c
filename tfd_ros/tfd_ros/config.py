"""``TFDConfig``: the one source of configuration of the Text-Front-Door (pure Python)."""

from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import Field, ValidationError, field_validator, model_validator
import yaml

from tfd_ros.payload import CompilerName, Priority, StrictModel

DEFAULT_FEATURES = (
    'red', 'green', 'blue', 'yellow', 'orange', 'purple', 'black', 'white',
    'fragile', 'speed', 'energy', 'precision', 'safety', 'novelty',
)


class ConfigError(ValueError):
    """An invalid configuration; ``field`` names the offending key."""

    def __init__(self, field: str, message: str):
        super().__init__(f'invalid parameter {field!r}: {message}')
        self.field = field
        self.message = message


class TFDConfig(StrictModel):
    """Configuration of tfd_node and the compiler; every field is also a ROS parameter."""

    model: str = Field(
        default='gemini-2.5-flash',
        description='Gemini model name used by the llm and cascade compilers.')
    compiler: CompilerName = Field(
        default='heuristic', description='Compiler backend: heuristic, llm or cascade.')
    safety_filter: Literal['strict', 'standard'] = Field(
        default='strict', description='Safety level; strict rejects more borderline text.')
    allowed_intents: list[str] = Field(
        default_factory=list,
        description='Intents the node may act on; empty means every ontology intent.')
    default_priority: Priority = Field(
        default='medium', description='Bid priority when the text does not set one.')
    default_max_energy_cost: float = Field(
        default=500.0, ge=0.0, le=1e9,
        description='Bid (price units) when the text does not lift the energy limit.')
    default_operator_id: str = Field(
        default='operator', min_length=1,
        description='Operator (ledger account) for instructions that name none: every '
                    'instruction on the topic, and action goals with an empty operator_id.')
    require_econ_approval: bool = Field(
        default=True,
        description='Wait for an approving EconDecision before publishing a ConditionVector.')
    econ_timeout_s: float = Field(
        default=2.0, gt=0.0, le=60.0,
        description='Seconds to wait for the economic controller before ECON_UNAVAILABLE.')
    llm_timeout_s: float = Field(
        default=5.0, gt=0.0, le=120.0, description='Timeout of one LLM request, seconds.')
    llm_max_retries: int = Field(
        default=2, ge=0, le=10, description='Retries of an LLM request on 429/5xx.')
    cascade_confidence_threshold: float = Field(
        default=0.6, ge=0.0, le=1.0,
        description='Cascade: ask the LLM when the heuristic confidence is below this.')
    max_text_length: int = Field(
        default=1000, ge=1, le=100000, description='Longest accepted instruction, characters.')
    max_queue_delay_s: float = Field(
        default=2.0, gt=0.0, le=3600.0,
        description='Topic instructions that would wait longer than this in the queue (at '
                    'the measured compile time), or did, are shed with REJECTED_OVERLOAD '
                    'instead of being compiled (stale orders).')
    max_queue_length: int = Field(
        default=10000, ge=1, le=1000000,
        description='Topic instructions queued for compilation at most; when full, new ones '
                    'are shed with REJECTED_OVERLOAD.')
    max_pending: int = Field(
        default=1000, ge=1, le=100000,
        description='Instructions in flight at once; beyond it new ones are refused.')
    feature_names: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FEATURES),
        description='Feature vocabulary of the ConditionVector objective vector.')
    ontology_file: str = Field(
        default='', description='Ontology YAML; empty means the packaged config/ontology.yaml.')
    safety_file: str = Field(
        default='', description='Safety rules YAML; empty means the packaged config/safety.yaml.')
    embedding_model: str = Field(
        default='', description='Language-goal embedder; empty means no embedding.')

    @field_validator('allowed_intents', 'feature_names')
    @classmethod
    def _no_blank_or_duplicate(cls, value):
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            raise ValueError('entries must be non-empty')
        if len(set(cleaned)) != len(cleaned):
            raise ValueError('entries must be unique')
        return cleaned

    @model_validator(mode='after')
    def _features_present(self):
        if not self.feature_names:
            raise ValueError('feature_names must not be empty')
        return self

    @classmethod
    def from_mapping(cls, data: Any) -> 'TFDConfig':
        """Validate a mapping; raise ``ConfigError`` naming the first bad field."""
        return validate_mapping(cls, data)

    @classmethod
    def from_yaml(cls, path: str, node_name: Optional[str] = None) -> 'TFDConfig':
        """Load a flat YAML mapping or a ROS ``ros__parameters`` file."""
        try:
            data = yaml.safe_load(Path(path).read_text(encoding='utf-8'))
        except yaml.YAMLError as exc:
            raise ConfigError('<file>', f'{path}: not valid YAML: {exc}') from None
        return cls.from_mapping(ros_parameters_section(data, node_name))


def validate_mapping(model, data: Any, source: str = ''):
    """Validate ``data`` as ``model``; raise ``ConfigError`` naming the first bad dotted key."""
    prefix = f'{source}: ' if source else ''
    if not isinstance(data, dict):
        raise ConfigError('<root>', f'{prefix}expected a mapping, got {type(data).__name__}')
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = '.'.join(str(p) for p in err['loc']) or '<root>'
        raise ConfigError(field, f'{prefix}{err["msg"]}') from None


def ros_parameters_section(data: Any, node_name: Optional[str] = None) -> Any:
    """Return the ``ros__parameters`` mapping of a ROS params file, or ``data`` unchanged."""
    if not isinstance(data, dict):
        return data
    sections = {k: v for k, v in data.items()
                if isinstance(v, dict) and 'ros__parameters' in v}
    if not sections:
        return data
    for key in (node_name, '/**', '**'):
        if key in sections:
            return sections[key]['ros__parameters']
    for key, value in sections.items():
        if node_name and key.rstrip('/').endswith(node_name):
            return value['ros__parameters']
    return next(iter(sections.values()))['ros__parameters']


class EconControllerConfig(StrictModel):
    """Configuration of the reference ``econ_controller`` node; every field is a parameter."""

    econ_file: str = Field(
        default='', description='Pricing coefficients YAML; empty means the packaged econ.yaml.')
    ledger_path: str = Field(
        default='',
        description='SQLite ledger file; empty means $ROS_HOME/tfd/ledger.sqlite3.')

    @classmethod
    def from_mapping(cls, data: Any) -> 'EconControllerConfig':
        """Validate a mapping; raise ``ConfigError`` naming the first bad field."""
        return validate_mapping(cls, data)
