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


class Config:
    def update(self, name, value):
        option = _OPTIONS.get(name.removeprefix("jax_"))
        if option is None:
            raise ValueError(f"unknown configuration option {name!r}; known: {', '.join(_OPTIONS)}")
        option.set_global(bool(value))

    def read(self, name):
        return getattr(self, name.removeprefix("jax_"))

    def __getattr__(self, name):
        option = _OPTIONS.get(name)
        if option is None:
            raise AttributeError(f"lintra.config has no option {name!r}")
        return option.value

    @property
    def x64_enabled(self):
        return self.enable_x64


config = Config()
