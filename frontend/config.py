"""Global configuration, as jax.config: `lintra.config.update("enable_x64", True)`."""
import os


class Config:
    def __init__(self):
        self.enable_x64 = os.environ.get("LINTRA_ENABLE_X64", "0").lower() in ("1", "true", "yes")
        # how lintra.random lays out Threefry counters; True is JAX's default since JAX 0.5.0
        self.threefry_partitionable = True

    def update(self, name, value):
        name = name.removeprefix("jax_")
        if name not in ("enable_x64", "threefry_partitionable"):
            raise ValueError(f"unknown configuration option {name!r}; known: enable_x64, threefry_partitionable")
        setattr(self, name, bool(value))

    def read(self, name):
        return getattr(self, name.removeprefix("jax_"))

    @property
    def x64_enabled(self):
        return self.enable_x64


config = Config()
