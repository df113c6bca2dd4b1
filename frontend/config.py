"""Global configuration, as jax.config: `lintra.config.update("enable_x64", True)`."""
import os


class Config:
    def __init__(self):
        self.enable_x64 = os.environ.get("LINTRA_ENABLE_X64", "0").lower() in ("1", "true", "yes")

    def update(self, name, value):
        name = name.removeprefix("jax_")
        if name not in ("enable_x64",):
            raise ValueError(f"unknown configuration option {name!r}; known: enable_x64")
        setattr(self, name, bool(value))

    def read(self, name):
        return getattr(self, name.removeprefix("jax_"))

    @property
    def x64_enabled(self):
        return self.enable_x64


config = Config()
