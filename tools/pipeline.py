"""A pass pipeline run over a whole module, with mlir-opt's instruments: IR dumps before and after chosen
passes (or only when a pass changed the IR), and wall time per pass.

A pass runs on every function of the module before the next pass starts, so each dump shows the whole
module. Every function a pass returns is verified. A failure names the function of the input it came from
(a pass may turn @f into @jvp_f, or split it into @f_primal and @f_linear).
"""
import time
from typing import NamedTuple, Optional

from ..ir.passes import PASSES, run_passes
from ..ir.verifier import VerificationError, verify


class PassFailure(Exception):
    def __init__(self, origin, func, pass_name, message):
        super().__init__(message)
        self.origin, self.func, self.pass_name, self.message = origin, func, pass_name, message


class Dumps(NamedTuple):
    """Which IR dumps to write to `stream`: before/after are sets of pass names."""
    stream: object
    before: frozenset = frozenset()
    after: frozenset = frozenset()
    after_all: bool = False
    after_change: bool = False     # alone: after every pass that changed the IR; with after/after_all: only then

    def wants_after(self, name, changed):
        chosen = self.after_all or name in self.after
        if self.after_change:
            return changed and (chosen or not (self.after_all or self.after))
        return chosen


def header(when, name):
    return f"// -----// IR Dump {when} {name} //----- //"


def run_pass(func, name, opts):
    """One pass on one function, its results verified: a Func or a list of them."""
    if not opts:
        return run_passes(func, [name])
    result = PASSES[name](func, **opts)
    for f in (result if isinstance(result, list) else [result]):
        verify(f)
    return result


def run_pipeline(module, pipeline, dumps: Optional[Dumps] = None, timing=None):
    """Run [(name, options), ...] over `module` in place; returns {function now: function of the input it came
    from}. Raises PassFailure."""
    origin = {name: name for name in module.funcs}
    for index, (name, opts) in enumerate(pipeline):
        if dumps is not None and name in dumps.before:
            _dump(dumps.stream, header("Before", name), module)
        before = str(module) if dumps is not None and dumps.after_change else None
        start = time.perf_counter()
        funcs = {}
        for fname, func in module.funcs.items():
            try:
                result = run_pass(func, name, opts)
            except VerificationError as e:
                where = "" if name == "verify" else f" after pass '{name}'"
                raise PassFailure(origin[fname], fname, name, f"@{fname}: verification failed{where}: {e}") from None
            except (TypeError, ValueError, NotImplementedError) as e:   # e.g. transposing a non-linear function
                raise PassFailure(origin[fname], fname, name, f"@{fname}: pass '{name}' failed: {e}") from None
            for f in (result if isinstance(result, list) else [result]):
                funcs[f.name] = f
                origin.setdefault(f.name, origin[fname])
        module.funcs = funcs
        if timing is not None:
            timing.add((index, name), name, time.perf_counter() - start)
        if dumps is not None and dumps.wants_after(name, before is not None and str(module) != before):
            _dump(dumps.stream, header("After", name), module)
    return {name: origin[name] for name in module.funcs}


def _dump(stream, title, module):
    print(title, file=stream)
    stream.write(str(module))
    stream.flush()
