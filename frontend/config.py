"""Global configuration, as jax.config: `lintra.config.update("enable_x64", True)`.

Each option is held in a jaxlib Config; those that change what a trace produces enter every C++ jit signature.
JAX's `JAX_<OPTION>` environment variables (and `LINTRA_<OPTION>`) set defaults.
"""
import os

from ..runtime import dispatch, pjrt


def _bool(value):
    return value.lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)


def _enum(*choices):
    def parse(value):
        if value not in choices:
            raise ValueError(f"new enum value must be in {list(choices)}, got {value!r} of type {type(value)}.")
        return value
    return parse


def _prng_impl(value):
    _enum("threefry2x32", "threefry4x32", "rbg", "unsafe_rbg", "philox2x32", "philox4x32")(value)
    if value != "threefry2x32":
        raise ValueError(f"jax_default_prng_impl={value!r}: Lintra implements threefry2x32 only")
    return value


def _float_check(kind):
    """jax_debug_nans / jax_debug_infs: every eager op checks its outputs; a jitted call that produces one
    re-runs op by op to name the primitive (lintra.jit's cache miss)."""
    def parse(value):
        on = _bool(value)
        if on and kind not in dispatch.float_checks:
            dispatch.float_checks.append(kind)
        elif not on and kind in dispatch.float_checks:
            dispatch.float_checks.remove(kind)
        return on
    return parse


_MATMUL_PRECISIONS = ["default", "high", "highest", "bfloat16", "tensorfloat32", "float32", "ANY_F8_ANY_F8_F32",
                      "ANY_F8_ANY_F8_F32_FAST_ACCUM", "ANY_F8_ANY_F8_ANY", "ANY_F8_ANY_F8_ANY_FAST_ACCUM",
                      "F16_F16_F16", "F16_F16_F32", "BF16_BF16_BF16", "BF16_BF16_F32", "BF16_BF16_F32_X3",
                      "BF16_BF16_F32_X6", "BF16_BF16_F32_X9", "TF32_TF32_F32", "TF32_TF32_F32_X3", "F32_F32_F32",
                      "F64_F64_F64"]


def _matmul_precision(value):
    """jax_default_matmul_precision: None or one of JAX's names (lax.dot_general reads it while tracing)."""
    if value is not None and value not in _MATMUL_PRECISIONS:
        raise ValueError(f"new enum value must be None or in {_MATMUL_PRECISIONS}, got {value} of type "
                         f"{type(value)}.")
    return value


def _num_cpu_devices(value):
    pjrt.set_num_cpu_devices(int(value))     # raises, as JAX does, once the backend exists
    return int(value)


# name -> (the jaxlib Config holding it, its parser). Options that change what a trace produces are jit-key
# Configs (pjrt.jit_key_config): a compiled call made under one value must not be replayed under another.
_OPTIONS = {
    "enable_x64": (pjrt.enable_x64, _bool),
    # how lintra.random lays out Threefry counters; True is JAX's default since JAX 0.5.0
    "threefry_partitionable": (pjrt.jit_key_config("lintra_threefry_partitionable", True), _bool),
    "disable_jit": (pjrt.disable_jit, _bool),
    "numpy_rank_promotion": (pjrt.jit_key_config("lintra_numpy_rank_promotion", "allow"),
                             _enum("allow", "warn", "raise")),
    "default_prng_impl": (pjrt.jit_key_config("lintra_default_prng_impl", "threefry2x32"), _prng_impl),
    "log_compiles": (pjrt.log_compiles, _bool),
    "explain_cache_misses": (pjrt.Config("lintra_explain_cache_misses", False), _bool),
    "debug_nans": (pjrt.jit_key_config("lintra_debug_nans", False), _float_check("nan")),
    "debug_infs": (pjrt.jit_key_config("lintra_debug_infs", False), _float_check("inf")),
    "num_cpu_devices": (pjrt.Config("lintra_num_cpu_devices", -1), _num_cpu_devices),
    # the precision of contractions that give none: it changes what a trace produces
    "default_matmul_precision": (pjrt.jit_key_config("lintra_default_matmul_precision", None), _matmul_precision),
    # nn.softmax differentiates its formula (False, JAX 0.10.2's default) or uses the custom JVP rule
    "softmax_custom_jvp": (pjrt.jit_key_config("lintra_softmax_custom_jvp", False), _bool),
}


def _option(name):
    """The option called `name`, with or without JAX's `jax_` prefix; JAX's error for an unknown one."""
    option = _OPTIONS.get(name.removeprefix("jax_"))
    if option is None:
        raise AttributeError(f"Unrecognized config option: {name} (known: "
                             f"{', '.join('jax_' + n for n in _OPTIONS)})")
    return option


class Config:
    def update(self, name, value):
        holder, parse = _option(name)
        holder.set_global(parse(value))

    def read(self, name):
        return _option(name)[0].value

    def __getattr__(self, name):          # config.jax_enable_x64, as JAX; config.enable_x64 inside Lintra
        return _option(name)[0].value

    @property
    def x64_enabled(self):
        return self.enable_x64


config = Config()


class _ThreadSetting:
    """Context manager: `setting` (a jaxlib Config) holds `self.value` in this thread inside it."""
    setting = None

    def __enter__(self):
        self._previous = self.setting.swap_local(self.value)

    def __exit__(self, *exc):
        self.setting.set_local(self._previous)


class disable_jit(_ThreadSetting):
    """Context manager: inside it, jitted functions run their Python, op by op (this thread only)."""
    setting = pjrt.disable_jit

    def __init__(self, disable=True):
        self.value = bool(disable)


class log_compiles(_ThreadSetting):
    """Context manager (this thread): compilations inside it are logged at WARNING, as JAX's
    `jax.log_compiles(new_val=True)`."""
    setting = pjrt.log_compiles

    def __init__(self, new_val=True):
        self.value = _bool(new_val)


class default_matmul_precision(_ThreadSetting):
    """Context manager (this thread): contractions traced inside it that name no precision use `value`
    (None, 'default', 'high', 'highest', 'bfloat16', 'tensorfloat32', 'float32'), as JAX's."""
    setting = _OPTIONS["default_matmul_precision"][0]

    def __init__(self, value):
        self.value = _matmul_precision(value)


# Defaults from the environment, as JAX reads JAX_ENABLE_X64 and the like (LINTRA_* spellings too)
for _name in _OPTIONS:
    for _var in (f"JAX_{_name.upper()}", f"LINTRA_{_name.upper()}"):
        if _var in os.environ and not (_name == "num_cpu_devices" and _var.startswith("LINTRA")):
            config.update(_name, os.environ[_var])
