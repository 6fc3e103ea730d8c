"""ROS parameters derived from one pydantic model (``TFDConfig``): declare, read, validate.

Every field of the model becomes a parameter with a ``ParameterDescriptor`` carrying its
description, its numeric range and, for the files that define safety and meaning,
``read_only``. Values are validated in one place: ``TFDConfig.from_mapping``.
"""

from typing import Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, ParameterType
from rclpy.exceptions import (
    InvalidParameterTypeException,
    InvalidParameterValueException,
    ParameterUninitializedException,
)
from rclpy.parameter import Parameter

from tfd_ros.config import ConfigError

_TYPES = {
    str: (ParameterType.PARAMETER_STRING, Parameter.Type.STRING),
    bool: (ParameterType.PARAMETER_BOOL, Parameter.Type.BOOL),
    int: (ParameterType.PARAMETER_INTEGER, Parameter.Type.INTEGER),
    float: (ParameterType.PARAMETER_DOUBLE, Parameter.Type.DOUBLE),
}
LIST_TYPE = (ParameterType.PARAMETER_STRING_ARRAY, Parameter.Type.STRING_ARRAY)


def _kind(annotation):
    origin = get_origin(annotation)
    if origin is list:
        return LIST_TYPE, None
    if origin is Literal:
        return _TYPES[str], get_args(annotation)
    return _TYPES[annotation], None


def describe(model: type[BaseModel], read_only: frozenset = frozenset()):
    """Yield ``(name, default, Parameter.Type, ParameterDescriptor)`` for each model field."""
    for name, field in model.model_fields.items():
        (msg_type, param_type), choices = _kind(field.annotation)
        text = field.description or ''
        if choices:
            text += f' One of: {", ".join(choices)}.'
        desc = ParameterDescriptor(name=name, type=msg_type, description=text,
                                   read_only=name in read_only)
        bounds = {type(m): m for m in field.metadata}
        low = bounds.get(Ge, bounds.get(Gt))
        high = bounds.get(Le, bounds.get(Lt))
        if low is not None and high is not None:
            low_v = getattr(low, 'ge', getattr(low, 'gt', None))
            high_v = getattr(high, 'le', getattr(high, 'lt', None))
            if msg_type == ParameterType.PARAMETER_INTEGER:
                desc.integer_range = [IntegerRange(from_value=int(low_v), to_value=int(high_v),
                                                   step=0)]
            else:
                desc.floating_point_range = [FloatingPointRange(
                    from_value=float(low_v), to_value=float(high_v), step=0.0)]
        default = field.get_default(call_default_factory=True)
        yield name, default, param_type, desc


def declare_and_read(node, model: type[BaseModel], read_only: frozenset = frozenset()):
    """Declare every field of ``model`` on ``node`` and return the validated model.

    Raises ``ConfigError`` naming the parameter when an override has the wrong type, is
    out of range, or fails the model's validation.
    """
    values = {}
    for name, default, param_type, desc in describe(model, read_only):
        try:
            if param_type == Parameter.Type.STRING_ARRAY and not default:
                node.declare_parameter(name, param_type, desc)
            else:
                node.declare_parameter(name, default, desc)
            values[name] = node.get_parameter(name).value
        except ParameterUninitializedException:
            values[name] = default
        except (InvalidParameterTypeException, InvalidParameterValueException) as exc:
            raise ConfigError(name, str(exc)) from None
        if values[name] is None:
            values[name] = default
        if isinstance(values[name], tuple) or param_type == Parameter.Type.STRING_ARRAY:
            values[name] = list(values[name])
    return model.from_mapping(values)


def changed_config(current: BaseModel, params) -> BaseModel:
    """Return ``current`` with the parameter changes applied, validated (``ConfigError``).

    Parameters that are not fields of the model are left alone: rclpy declared them for itself
    (``use_sim_time``, QoS overrides), and an undeclared name never reaches this point.
    """
    data = current.model_dump()
    for param in params:
        if param.name not in data:
            continue
        value = param.value
        data[param.name] = list(value) if isinstance(value, (list, tuple)) else value
    return type(current).from_mapping(data)
