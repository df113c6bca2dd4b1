"""lintra.ad_checkpoint, a public namespace: rematerialisation (checkpoint, remat, checkpoint_name,
checkpoint_policies; remat.py) and, beyond JAX, multi-level checkpointed scans and reverse-differentiable
bounded while loops (checkpointed_scan, bounded_while_loop; control.py, since scan and while_loop hand their
checkpoints= and max_steps= arguments to them). Code inside frontend/ imports those modules, never this one.
"""
from .ad import print_saved_residuals, saved_residuals  # noqa: F401
from .control import bounded_while_loop, checkpointed_scan  # noqa: F401
from .remat import checkpoint, checkpoint_name, checkpoint_policies, remat  # noqa: F401
