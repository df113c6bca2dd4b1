"""lintra.errors, as jax.errors: the exception classes users catch."""
from ..runtime.pjrt import JaxRuntimeError
from .core import (ConcretizationError as ConcretizationTypeError, TracerArrayConversionError,
                   TracerBoolConversionError, TracerIntegerConversionError, UnexpectedTracerError)

__all__ = ["ConcretizationTypeError", "JaxRuntimeError", "TracerArrayConversionError", "TracerBoolConversionError",
           "TracerIntegerConversionError", "UnexpectedTracerError"]
