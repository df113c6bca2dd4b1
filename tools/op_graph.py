"""lintra-opt --view-op-graph: the data flow of each function as a Graphviz graph (as mlir-opt's
--view-op-graph). Ops are boxes labelled with their primitive and result types (and their attributes, cut
short), block arguments are ellipses, each block's `return` is a rounded box, values are edges labelled with
their names in the IR text, and functions and regions are clusters. To stdout as dot text, or rendered to SVG
by Graphviz's `dot` executable."""
import shutil
import subprocess

from ..ir.core import is_built
from ..ir.printer import _arg_names, _Names, format_attr

ATTRS_SHOWN = 60      # characters of an op's attributes in its label; the IR text has them in full


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Graph:
    def __init__(self):
        self.lines, self.nodes, self.clusters, self.count = [], {}, 0, 0
        self.names = None      # the printer's names of the function being drawn

    def node(self, key, label, shape, depth, style=None):
        nid, self.count = f"n{self.count}", self.count + 1
        self.nodes[key] = nid
        extra = f", style = {style}" if style else ""
        self.lines.append("  " * depth + f"{nid} [label = {_quote(label)}, shape = {shape}{extra}];")
        return nid

    def edge(self, value, to, depth):
        self.lines.append("  " * depth + f"{self.nodes[value]} -> {to} [label = {_quote(self.names[value])}];")

    def cluster(self, label, depth, style=None):
        self.clusters += 1
        self.lines.append("  " * depth + f"subgraph cluster_{self.clusters} {{")
        self.lines.append("  " * (depth + 1) + f"label = {_quote(label)};" + (f" style = {style};" if style else ""))

    def end(self, depth):
        self.lines.append("  " * depth + "}")

    def block(self, block, depth):
        """A block's arguments, ops and return; its arguments are already named."""
        for a in block.args:
            self.node(a, f"{self.names[a]} : {a.type}", "ellipse", depth)
        for op in block.ops:
            self.op(op, depth)
        ret = self.node(("return", id(block)), "return", "box", depth, style="rounded")
        for v in block.results:
            self.edge(v, ret, depth)

    def op(self, op, depth):
        for r in op.results:
            self.names.define(r)
        label = f"{op.prim} : {', '.join(str(r.type) for r in op.results) or '()'}"
        if op.attrs:
            attrs = ", ".join(f"{k} = {format_attr(v)}" for k, v in sorted(op.attrs.items()))
            label += "\n{" + (attrs if len(attrs) <= ATTRS_SHOWN else attrs[:ATTRS_SHOWN - 3] + "...") + "}"
        inner = depth + 1 if op.regions else depth
        if op.regions:
            self.cluster(op.prim, depth, style="dashed")
        nid = self.node(op, label, "box", inner)
        for r in op.results:
            self.nodes[r] = nid
        for v in op.operands:
            self.edge(v, nid, inner)
        for i, region in enumerate(op.regions):
            self.cluster(f"region {i}", inner, style="dotted")
            if is_built(region):
                for a in region.args:
                    self.names.define(a)
                self.block(region, inner + 1)
            else:       # a custom rule not traced yet: tracing it here could recurse without end
                self.node(("lazy", id(region)), "^lazy (not traced yet)", "plaintext", inner + 1)
            self.end(inner)
        if op.regions:
            self.end(depth)


def to_dot(module) -> str:
    """The dot text of every function of `module` (an ir Module)."""
    g = _Graph()
    g.lines += ["digraph module {", "  compound = true;", '  node [fontname = "monospace"];',
                '  edge [fontname = "monospace"];']
    for func in module.funcs.values():
        g.names = _Names()
        for a, n in zip(func.args, _arg_names(func)):
            g.names.define(a, n)
        g.cluster(f"func @{func.name}", 1)
        g.block(func.body, 2)
        g.end(1)
    g.lines.append("}")
    return "\n".join(g.lines) + "\n"


class GraphError(Exception):
    """The graph cannot be drawn where asked: one line for the user, exit status 2."""


def render_svg(dot_text: str, path: str):
    """Write `dot_text` rendered as SVG to `path` with Graphviz's `dot`."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphError(f"--view-op-graph={path} renders with Graphviz's `dot` executable, which is not on "
                              f"PATH: install Graphviz (e.g. apt-get install graphviz), or give --view-op-graph "
                              f"without a file for the dot text")
    p = subprocess.run([dot, "-Tsvg", "-o", path], input=dot_text, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise GraphError(f"`dot -Tsvg -o {path}` failed with status {p.returncode}: {p.stderr.strip()}")


def view_op_graph(module, target, out, err) -> int:
    """--view-op-graph[=FILE]: the graph as dot text on `out` (target '-'), in FILE.dot, or rendered to
    FILE.svg; the exit status (2 when it cannot be drawn)."""
    text = to_dot(module)
    if target == "-":
        out.write(text)
        return 0
    try:
        if target.endswith(".svg"):
            render_svg(text, target)
        elif target.endswith(".dot"):
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            raise GraphError(f"--view-op-graph={target}: expected a FILE.svg (rendered with Graphviz's dot) "
                                  f"or FILE.dot (the dot text)")
    except GraphError as e:
        print(f"lintra-opt: {e}", file=err)
        return 2
    except OSError as e:
        print(f"lintra-opt: cannot write {target}: {e.strerror or e}", file=err)
        return 2
    return 0
