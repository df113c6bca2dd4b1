"""The functions a pass pipeline made of one function, compiled and run as one program.

A pipeline returns one function, or (after `linearize`) a primal function and a linear one: the primal
returns the outputs and then the residuals, which the linear function (transposed or not) takes first. Run
as one, the pair has the arguments and results of the function `jvp` made (linearize) or of a VJP:
(primals, cotangents) -> (outputs, cotangents of the primals) (linearize, then transpose).
"""
import re

import numpy as np

RESIDUAL = re.compile(r"r\d+")


class ProgramError(Exception):
    """A pipeline's result that cannot be run as one program."""


class Program:
    def __init__(self, funcs):
        self.funcs = list(funcs)
        if len(self.funcs) == 1:
            f = self.funcs[0]
            self.n_res = 0
            self.arg_types, self.arg_names = [a.type for a in f.args], _names(f)
            self.result_types = [r.type for r in f.results]
        elif len(self.funcs) == 2:
            primal, linear = self.funcs
            names = _names(linear)
            self.n_res = sum(1 for n in names if RESIDUAL.fullmatch(n))
            if names[:self.n_res] != [f"r{i}" for i in range(self.n_res)]:
                raise ProgramError(f"@{linear.name} does not take @{primal.name}'s residuals r0, r1, ... first")
            self.arg_types = [a.type for a in primal.args] + [a.type for a in linear.args[self.n_res:]]
            self.arg_names = _names(primal) + names[self.n_res:]
            self.result_types = [r.type for r in primal.results[:len(primal.results) - self.n_res]] + \
                                [r.type for r in linear.results]
        else:
            raise ProgramError(f"the pipeline made {len(self.funcs)} functions "
                               f"({', '.join('@' + f.name for f in self.funcs)}); lintra-run runs one, or a "
                               "primal and a linear function from linearize")
        self.name = " then ".join("@" + f.name for f in self.funcs)
        self._executables = None

    def __call__(self, arrays):
        """Host arrays in (one per argument), host arrays out (one per result)."""
        from ..runtime.executable import Executable, device_put
        if self._executables is None:
            self._executables = [Executable(f) for f in self.funcs]

        def run(exe, func, xs):
            outs = exe([device_put(np.asarray(x, a.type.dtype), weak=a.type.weak) for x, a in zip(xs, func.args)])
            return [np.asarray(o) for o in outs]

        if len(self.funcs) == 1:
            return run(self._executables[0], self.funcs[0], arrays)
        (pe, le), (primal, linear) = self._executables, self.funcs
        n_primal = len(primal.args)
        first = run(pe, primal, arrays[:n_primal])
        n_out = len(first) - self.n_res
        return first[:n_out] + run(le, linear, first[n_out:] + list(arrays[n_primal:]))


def _names(func):
    names = func.arg_names or []
    return list(names) if len(names) == len(func.args) else [f"arg{i}" for i in range(len(func.args))]
