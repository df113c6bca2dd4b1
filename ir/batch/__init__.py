"""Batching as an IR pass (vmap): give a whole function a batch dimension by rewriting its IR."""
from . import rules  # noqa: F401  (fill the rule table)
from .batch import BATCH_RULES, batch, batch_rule
