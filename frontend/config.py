"""Global configuration, as jax.config: `lintra.config.update("enable_x64", True)`.

Each option is a jaxlib Config that enters every C++ jit signature: it changes what a trace produces, so a
compiled call made under one value must not be replayed under another.
"""
from ..runtime import pjrt

_OPTIONS = {
    "enable_x64": pjrt.enable_x64,
    # how lintra.random lays out Threefry counters; True is JAX's default since JAX 0.5.0
    "threefry_partitionable": pjrt.jit_key_config("lintra_threefry_partitionable", True),
    "disable_jit": pjrt.disable_jit,
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
        _option(name).set_global(bool(value))

    def read(self, name):
        return _option(name).value

    def __getattr__(self, name):          # config.jax_enable_x64, as JAX; config.enable_x64 inside Lintra
        return _option(name).value

    @property
    def x64_enabled(self):
        return self.enable_x64


config = Config()


class disable_jit:
    """Context manager: inside it, jitted functions run their Python, op by op (this thread only)."""

    def __init__(self, disable=True):
        self.disable = bool(disable)

    def __enter__(self):
        self._previous = _OPTIONS["disable_jit"].swap_local(self.disable)

    def __exit__(self, *exc):
        _OPTIONS["disable_jit"].set_local(self._previous)
