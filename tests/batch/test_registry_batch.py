"""Every primitive has a batching rule, and a test that checks it against a loop over the batch.

Coverage is declared, not guessed: a test module under tests/ that checks batching rules defines a
module-level COVERED_BATCH_PRIMITIVES set derived from its own test tables (tests/batch/test_rules.py does,
and checks that each case emits its primitive); this test imports those modules by path and unions the sets."""
import importlib.util
import pathlib
import re

import numpy as np

from lintra.ir.batch import BATCH_RULES, batch
from lintra.ir.builder import Builder
from lintra.ir.core import Func
from lintra.ir.primitives import PRIMITIVES
from lintra.ir.types import TensorType

# No operands, so never batched: the pass copies them (an op none of whose operands is batched is copied).
NULLARY = {"constant", "iota"}


TESTS = pathlib.Path(__file__).parent.parent
DECLARING = sorted(p for p in TESTS.rglob("test_*.py")
                   if re.search(r"^COVERED_BATCH_PRIMITIVES\s*=", p.read_text(), re.MULTILINE))


def _covered():
    covered = set()
    for path in DECLARING:
        spec = importlib.util.spec_from_file_location(f"_registry_batch_{path.parent.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        covered |= module.COVERED_BATCH_PRIMITIVES
    return covered


def test_every_primitive_with_operands_has_a_batching_rule():
    missing = sorted(set(PRIMITIVES) - set(BATCH_RULES) - NULLARY)
    assert not missing, f"primitives without a batching rule in lintra.ir.batch.BATCH_RULES: {missing}"


def test_every_batching_rule_is_for_a_primitive():
    unknown = sorted(set(BATCH_RULES) - set(PRIMITIVES))
    assert not unknown, f"batching rules for names that are not primitives: {unknown}"


def test_nullary_primitives_stay_unbatched():
    b = Builder()
    x = b.arg(TensorType.of((3,), "f32"))
    c = b.constant(np.arange(3, dtype=np.float32))
    i = b.emit1("convert_element_type", [b.emit1("iota", [], {"dtype": np.dtype(np.int32), "shape": (3,),
                                                               "dimension": 0})],
                {"new_dtype": np.dtype(np.float32), "weak_type": False})
    b.ret(b.emit1("add", [x, c]), b.emit1("mul", [c, i]))
    func = Func("f", b.block)
    assert NULLARY <= {op.prim for op in func.body.ops}
    out, dims = batch(func, [0], 5)
    assert dims == [0, None]
    assert [r.type.shape for r in out.results] == [(5, 3), (3,)]
    assert all(op.results[0].type.shape == (3,) for op in out.body.ops if op.prim in NULLARY)


def test_every_primitive_is_covered_by_a_loop_test():
    covered = _covered()
    missing = sorted(set(PRIMITIVES) - covered)
    assert not missing, (f"primitives whose batching no test covers: {missing}; scanned "
                         f"{[str(p.relative_to(TESTS)) for p in DECLARING]} for COVERED_BATCH_PRIMITIVES")
    unknown = sorted(covered - set(PRIMITIVES))
    assert not unknown, f"COVERED_BATCH_PRIMITIVES names that are not primitives: {unknown}"
