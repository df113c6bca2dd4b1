"""The ecosystem install command (README; `pip install --no-deps -r tests/ecosystem/requirements.txt`) leaves
Lintra's environment correct: no jax package, jaxlib at Lintra's pin, and optax and chex importing on Lintra."""
import importlib.metadata as metadata
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUIREMENTS = os.path.join(ROOT, "tests", "ecosystem", "requirements.txt")


def _pins():
    lines = [l.strip() for l in open(REQUIREMENTS) if l.strip() and not l.lstrip().startswith("#")]
    return dict(l.split("==") for l in lines)


def test_the_readme_and_ci_install_the_ecosystem_with_this_command():
    command = "--no-deps -r tests/ecosystem/requirements.txt"
    assert command in open(os.path.join(ROOT, "README.md")).read()
    assert command in open(os.path.join(ROOT, ".ci", "run")).read()


def test_installed_versions_are_the_pins_and_jax_is_not_installed():
    for name, version in _pins().items():
        assert metadata.version(name) == version, name
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("jax")
    pinned = re.search(r'"jaxlib==([^"]+)"', open(os.path.join(ROOT, "pyproject.toml")).read()).group(1)
    assert metadata.version("jaxlib") == pinned


def test_optax_and_chex_import_and_run_on_lintra():
    code = """
import lintra.compat
lintra.compat.alias_jax()
import chex, jax, jax.numpy as jnp, optax, sys
import lintra
assert jax is lintra and "jax" not in {m.split(".")[0] for m in sys.modules if m.startswith("jax") and
                                       getattr(sys.modules[m], "__file__", "") and "site-packages/jax/" in
                                       sys.modules[m].__file__}
params = {"w": jnp.array([1.0, -2.0])}
opt = optax.sgd(0.5)
state = opt.init(params)
grads = jax.grad(lambda p: jnp.sum(p["w"] ** 2))(params)
updates, state = opt.update(grads, state)
print(optax.apply_updates(params, updates)["w"].tolist())
chex.assert_shape(params["w"], (2,))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.split() == ["[0.0,", "0.0]"]       # w - 0.5 * 2w


def test_pip_check_finds_nothing_missing_but_jax():
    # --no-deps installs nothing a requirement needs: every dependency must be pinned in requirements.txt
    # (a clean environment once lacked joblib's cloudpickle); only the jax package itself is left out
    p = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    expected = r"requires jax, which is not installed\.$|^No broken requirements"
    problems = [line for line in p.stdout.splitlines() if line.strip() and not re.search(expected, line)]
    assert not problems, "\n".join(problems)
