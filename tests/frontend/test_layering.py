"""The layering DESIGN.md asks for, read from the source: frontend/'s files import each other without cycles
(a cycle means something lives on the wrong level), and jaxlib, whose Python API is private, is imported only
in runtime/ and lowering/mlir.py (so never by ir/); nothing imports the jax package."""
import ast
import collections
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ("ir", "lowering", "runtime", "frontend", "tools")     # lintra's folders; its root files count too
JAXLIB_HOMES = ("runtime/", "lowering/mlir.py")


def _modules(root, folder):
    """{dotted name relative to `root`: path} of the Python files under root/folder."""
    out = {}
    for path in sorted((root / folder).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _import_graph(modules):
    """module -> {module: line numbers}, for every relative import between `modules`, including those inside
    function bodies; `from . import x` in a package's submodule counts as importing the package too."""
    edges = collections.defaultdict(lambda: collections.defaultdict(list))
    for mod, path in modules.items():
        pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level > 0):
                continue
            base = pkg.split(".")[:len(pkg.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for name in [target] + [f"{target}.{a.name}" for a in node.names]:
                if name in modules and name != mod:
                    edges[mod][name].append(node.lineno)
    return edges


def _cycles(nodes, edges):
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in nodes:
        if v not in index:
            visit(v)
    return found


def test_frontend_modules_import_each_other_without_cycles():
    modules = _modules(ROOT, "frontend")
    assert "frontend.lax" in modules and "frontend.numpy.ufuncs" in modules
    edges = _import_graph(modules)
    cycles = _cycles(modules, edges)
    report = "\n".join(
        f"cycle of {len(c)} modules:\n" + "\n".join(f"  {a} -> {b} (line {', '.join(map(str, edges[a][b]))})"
                                                     for a in c for b in sorted(edges[a]) if b in c)
        for c in cycles)
    assert not cycles, ("frontend/ imports in a cycle; move what one of them needs below both (DESIGN.md: "
                        "tracing core -> lax -> numpy, nn, random, scipy -> transformations -> public namespace)"
                        f"\n{report}")


def test_public_namespaces_are_imported_by_nothing_in_frontend():
    """lintra.lax and lintra.ad_checkpoint gather names from several levels, transformations included, so a
    module of frontend/ that imported them would sit above every level they gather from."""
    modules = _modules(ROOT, "frontend")
    edges = _import_graph(modules)
    for public in ("frontend.lax_public", "frontend.ad_checkpoint"):
        assert public in modules
        importers = sorted(m for m in modules if public in edges[m])
        assert not importers, f"{public} is the public namespace; {importers} should import its sources instead"


def test_the_cycle_check_sees_imports_inside_functions_and_of_the_package(tmp_path):
    files = {"pkg/__init__.py": "from .a import x\n",
             "pkg/a.py": "from .b import f\nx = 1\n",
             "pkg/b.py": "def f():\n    from .a import x\n    return x\n",
             "pkg/c.py": "from .b import f\n",
             "pkg/sub/__init__.py": "from .m import y\n",
             "pkg/sub/m.py": "from . import n\ny = 1\n",      # imports the package sub, not only sub.n
             "pkg/sub/n.py": "from ..c import f\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = _modules(tmp_path, "pkg")
    assert sorted(_cycles(modules, _import_graph(modules))) == [["pkg.a", "pkg.b"], ["pkg.sub", "pkg.sub.m"]]


def _imports(path):
    """(top-level package, line) for each absolute import in the file, including those inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name.split(".")[0], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def _package_files():
    files = sorted(ROOT.glob("*.py"))
    for folder in PACKAGE:
        files += sorted((ROOT / folder).rglob("*.py"))
    return [(f.relative_to(ROOT).as_posix(), f) for f in files]


def test_jaxlib_is_imported_only_in_runtime_and_lowering_mlir():
    files = _package_files()
    assert any(rel.startswith("ir/") for rel, _ in files)
    outside = [f"{rel}:{line}" for rel, path in files for top, line in _imports(path)
               if top == "jaxlib" and not rel.startswith(JAXLIB_HOMES)]
    assert not outside, f"jaxlib imported outside runtime/ and lowering/mlir.py: {outside}"
    assert any(top == "jaxlib" for top, _ in _imports(ROOT / "lowering" / "mlir.py"))


def test_ir_imports_no_jaxlib_and_nothing_imports_jax():
    files = _package_files()
    in_ir = [f"{rel}:{line}" for rel, path in files if rel.startswith("ir/") for top, line in _imports(path)
             if top == "jaxlib"]
    assert not in_ir, f"ir/ must stay pure Python, but imports jaxlib at {in_ir}"
    jax = [f"{rel}:{line}" for rel, path in files for top, line in _imports(path) if top == "jax"]
    assert not jax, f"Lintra never imports the jax package, but it is imported at {jax}"
