"""lintra.compat: `import jax` resolving to Lintra, in fresh processes (the alias is process-wide)."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _python(*args, code=None, cwd=None):
    cmd = [sys.executable] + (["-c", textwrap.dedent(code)] if code is not None else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


def test_jax_modules_resolve_to_lintra_modules():
    p = _python(code="""
        import lintra
        lintra.compat.alias_jax()
        import jax, jax.numpy as jnp, jax.lax, jax.scipy.special, jax.lax.linalg
        from jax import tree_util, random, nn
        from jax.experimental import multihost_utils
        import lintra.numpy, lintra.scipy.special
        assert jax is lintra and jnp is lintra.numpy and jax.lax is lintra.lax
        assert jax.scipy.special is lintra.scipy.special and tree_util is lintra.tree_util
        assert jax.lax.linalg is lintra.lax.linalg and multihost_utils is lintra.experimental.multihost_utils
        print(float(jax.grad(lambda x: jnp.sin(x) ** 2)(1.0)))
    """)
    assert p.returncode == 0, p.stderr
    assert abs(float(p.stdout) - 0.9092974) < 1e-6        # d/dx sin(x)^2 = sin(2x) at 1


def test_stand_ins_for_jax_internals_that_libraries_import():
    p = _python(code="""
        import os, tempfile
        os.environ["LINTRA_CACHE_DIR"] = ""          # every compile goes through the compiler
        import lintra
        lintra.compat.alias_jax()
        from jax._src import compiler
        import jax, jax.numpy as jnp
        import jax.experimental.checkify
        assert jax.experimental.checkify is lintra.experimental.checkify
        seen = []
        inner = compiler.backend_compile_and_load

        def wrapper(backend, *args):          # what chex's restrict_backends does
            seen.append(backend.platform)
            if backend.platform == "cpu" and len(seen) > 1:
                raise RuntimeError("compiling for cpu is forbidden")
            return inner(backend, *args)
        compiler.backend_compile_and_load = wrapper
        print(float(jax.jit(lambda x: x * 2)(jnp.float32(3))))
        try:
            jax.jit(lambda x: x + 1)(jnp.float32(3))
        except RuntimeError as e:
            print(e)
        compiler.backend_compile_and_load = inner
        print(float(jax.jit(lambda x: x - 1)(jnp.float32(3))), seen)
    """)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[:3] == ["6.0", "compiling for cpu is forbidden", "2.0 ['cpu', 'cpu']"]


def test_chex_restrict_backends_refuses_lintra_compiles():
    import importlib.util
    if importlib.util.find_spec("chex") is None:
        import pytest
        pytest.skip("chex is not installed: pip install --no-deps -r tests/ecosystem/requirements.txt")
    p = _python(code="""
        import os
        os.environ["LINTRA_CACHE_DIR"] = ""
        import lintra
        lintra.compat.alias_jax()
        import chex, jax, jax.numpy as jnp
        with chex.restrict_backends(forbidden=["cpu"]):
            try:
                jax.jit(lambda x: x * 3)(jnp.float32(2))
            except Exception as e:
                print(type(e).__name__, e)
        print(float(jax.jit(lambda x: x * 3)(jnp.float32(2))))
    """)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[:2] == [
        "RestrictedBackendError Compiling a JAX program for cpu is forbidden by restrict_backends().", "6.0"]


def test_a_module_lintra_lacks_is_a_clear_module_not_found_error():
    p = _python(code="""
        import lintra
        lintra.compat.alias_jax()
        try:
            import jax.no_such_module
        except ModuleNotFoundError as e:
            print(e.name, "|", e)
    """)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ("jax.no_such_module | No module named 'jax.no_such_module': Lintra, aliased as jax, "
                                "has no lintra.no_such_module")


def test_refused_once_another_jax_was_imported():
    p = _python(code="""
        import sys, types
        sys.modules["jax"] = types.ModuleType("jax")      # stands for the real package
        import lintra
        try:
            lintra.compat.alias_jax()
        except RuntimeError as e:
            print(e)
    """)
    assert p.returncode == 0, p.stderr
    assert "the jax package was imported before the alias was set up" in p.stdout


def test_python_m_lintra_compat_runs_an_unmodified_jax_script(tmp_path):
    (tmp_path / "script.py").write_text(textwrap.dedent("""
        import sys
        import jax
        import jax.numpy as jnp
        print(jax.__name__, jnp.sum(jnp.arange(4.0)), sys.argv)
    """))
    p = _python("-m", "lintra.compat", "script.py", "--flag", "x", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "lintra 6.0 ['script.py', '--flag', 'x']"
