"""lintra.tree, lintra.tree_util and lintra.flatten_util against JAX 0.10.2: every expected string and value
below was recorded by running the same code under JAX 0.10.2 (/work/jaxvenv)."""
import collections
import dataclasses
import functools
import importlib

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import tree_util as tu
from lintra.flatten_util import ravel_pytree

P = collections.namedtuple("P", "x y")


@dataclasses.dataclass
class D:
    a: object
    b: object
    n: int = dataclasses.field(default=3, metadata=dict(static=True))


tu.register_dataclass(D)


class K:
    """A node whose flatten_with_keys names its children."""

    def __init__(self, u, v):
        self.u, self.v = u, v


tu.register_pytree_with_keys(K, lambda k: (((tu.GetAttrKey("u"), k.u), (tu.DictKey("vee"), k.v)), None),
                             lambda aux, ch: K(*ch))


class C:
    """A node without keys: its children get FlattenedIndexKey."""

    def __init__(self, u):
        self.u = u


tu.register_pytree_node(C, lambda c: ((c.u,), None), lambda a, ch: C(*ch))


def _big_tree():
    return {"b": [1, (2, None)], "a": P(3, {"z": 4}), "d": D(5, [6], 7), "k": K(8, 9), "c": C(10),
            "o": collections.OrderedDict(y=11, x=12), "dd": collections.defaultdict(list, {"q": 13})}


def test_namespaces_have_jax_names():
    # dir(jax.tree) and dir(jax.tree_util) in JAX 0.10.2, public names
    jax_tree = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path", "map",
                "map_with_path", "reduce", "reduce_associative", "static", "structure", "transpose", "unflatten"]
    jax_tree_util = [
        "DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath", "Partial", "PyTreeDef",
        "SequenceKey", "all_leaves", "default_registry", "flatten_one_level", "flatten_one_level_with_keys",
        "is_tree_node", "keystr", "register_dataclass", "register_pytree_node", "register_pytree_node_class",
        "register_pytree_with_keys", "register_pytree_with_keys_class", "register_static", "tree_all",
        "tree_broadcast", "tree_flatten", "tree_flatten_with_path", "tree_leaves", "tree_leaves_with_path",
        "tree_map", "tree_map_with_path", "tree_reduce", "tree_reduce_associative", "tree_structure",
        "tree_transpose", "tree_unflatten", "treedef_children", "treedef_is_leaf", "treedef_tuple"]
    assert [n for n in jax_tree if not hasattr(lintra.tree, n)] == []
    assert [n for n in jax_tree_util if not hasattr(tu, n)] == []
    assert importlib.import_module("lintra.tree_util") is tu
    assert importlib.import_module("lintra.flatten_util").ravel_pytree is ravel_pytree
    assert tu.default_registry is lintra.tree.registry   # the registry jit's C++ fast path flattens with


def test_key_paths_and_keystr_match_jax():
    pairs, treedef = tu.tree_flatten_with_path(_big_tree())
    got = [(tu.keystr(p), tu.keystr(p, simple=True, separator="/"), v, [repr(k) for k in p]) for p, v in pairs]
    assert got == [
        ("['a'].x", "a/x", 3, ["DictKey(key='a')", "GetAttrKey(name='x')"]),
        ("['a'].y['z']", "a/y/z", 4, ["DictKey(key='a')", "GetAttrKey(name='y')", "DictKey(key='z')"]),
        ("['b'][0]", "b/0", 1, ["DictKey(key='b')", "SequenceKey(idx=0)"]),
        ("['b'][1][0]", "b/1/0", 2, ["DictKey(key='b')", "SequenceKey(idx=1)", "SequenceKey(idx=0)"]),
        ("['c'][<flat index 0>]", "c/0", 10, ["DictKey(key='c')", "FlattenedIndexKey(key=0)"]),
        ("['d'].a", "d/a", 5, ["DictKey(key='d')", "GetAttrKey(name='a')"]),
        ("['d'].b[0]", "d/b/0", 6, ["DictKey(key='d')", "GetAttrKey(name='b')", "SequenceKey(idx=0)"]),
        ("['dd']['q']", "dd/q", 13, ["DictKey(key='dd')", "DictKey(key='q')"]),
        ("['k'].u", "k/u", 8, ["DictKey(key='k')", "GetAttrKey(name='u')"]),
        ("['k']['vee']", "k/vee", 9, ["DictKey(key='k')", "DictKey(key='vee')"]),
        ("['o']['y']", "o/y", 11, ["DictKey(key='o')", "DictKey(key='y')"]),
        ("['o']['x']", "o/x", 12, ["DictKey(key='o')", "DictKey(key='x')"]),
    ]
    assert str(treedef) == (
        "PyTreeDef({'a': CustomNode(namedtuple[P], [*, {'z': *}]), 'b': [*, (*, None)], 'c': CustomNode(C[None], "
        "[*]), 'd': CustomNode(D[(7,)], [*, [*]]), 'dd': CustomNode(defaultdict[(<class 'list'>, ('q',))], [*]), "
        "'k': CustomNode(K[None], [*, *]), 'o': CustomNode(OrderedDict[('y', 'x')], [*, *])})")
    assert tu.keystr(()) == ""
    assert tu.tree_leaves(_big_tree()) == [3, 4, 1, 2, 10, 5, 6, 13, 8, 9, 11, 12]
    assert [p for p, _ in lintra.tree.leaves_with_path(_big_tree())] == [p for p, _ in pairs]
    back = tu.tree_unflatten(treedef, [v for _, v in pairs])
    assert isinstance(back["o"], collections.OrderedDict) and list(back["o"]) == ["y", "x"]
    assert back["dd"].default_factory is list and back["k"].v == 9 and back["d"].n == 7


def test_map_with_path_and_is_leaf_takes_path():
    out = tu.tree_map_with_path(lambda p, x, y: (tu.keystr(p), x + y), {"a": [1, 2]}, {"a": [10, 20]})
    assert out == {"a": [("['a'][0]", 11), ("['a'][1]", 22)]}
    got = lintra.tree.leaves_with_path([1, {"a": 2}], is_leaf=lambda p, x: isinstance(x, dict),
                                       is_leaf_takes_path=True)
    assert got == [((tu.SequenceKey(0),), 1), ((tu.SequenceKey(1),), {"a": 2})]
    assert lintra.tree.map(lambda x: x, [[1], 2], is_leaf=lambda x: isinstance(x, list) and len(x) == 1) == [[1], 2]


def test_register_with_keys_class_and_node_class():
    @tu.register_pytree_with_keys_class
    class Pair:
        def __init__(self, first, second):
            self.first, self.second = first, second

        def tree_flatten_with_keys(self):
            return ((tu.GetAttrKey("first"), self.first), (tu.GetAttrKey("second"), self.second)), "aux"

        @classmethod
        def tree_unflatten(cls, aux, children):
            assert aux == "aux"
            return cls(*children)

    pairs, _ = tu.tree_flatten_with_path(Pair(1, [2]))
    assert [(tu.keystr(p), v) for p, v in pairs] == [(".first", 1), (".second[0]", 2)]
    doubled = tu.tree_map(lambda x: 2 * x, Pair(1, [2]))
    assert (doubled.first, doubled.second) == (2, [4])
    assert tu.is_tree_node(Pair) and tu.is_tree_node(list) and tu.is_tree_node(P) and not tu.is_tree_node(int)


def test_dataclasses():
    @dataclasses.dataclass
    class E:
        w: object
        s: str = lintra.tree.static(default="hi")

    assert tu.register_dataclass(E) is E
    leaves, treedef = tu.tree_flatten(E(1))
    assert leaves == [1] and str(treedef) == "PyTreeDef(CustomNode(E[('hi',)], [*]))"
    assert tu.tree_unflatten(treedef, [5]) == E(5)
    assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(E(1))] == [".w"]

    class Plain:  # not a dataclass: fields must be given
        def __init__(self, x, m):
            self.x, self.m = x, m
    tu.register_dataclass(Plain, data_fields=["x"], meta_fields=["m"])
    assert tu.tree_flatten(Plain(1, "m"))[0] == [1]

    errors = [
        ((E, ["w"], None), TypeError, "register_dataclass: data_fields and meta_fields must both be specified when "
         "either is specified. Got data_fields=['w'] meta_fields=None."),
        ((int,), TypeError, "register_dataclass: data_fields and meta_fields are required when nodetype is not a "
         "dataclass. Got nodetype=<class 'int'>."),
        ((E, ["w"], []), ValueError, "data_fields and meta_fields must include all dataclass fields with "
         "``init=True`` and only them. Missing fields: {'s'}. Add them to drop_fields to suppress this error."),
        ((E, ["w", "s"], ["s"]), ValueError, "data_fields and meta_fields must not overlap. Overlapping fields: {'s'}."),
    ]
    for args, exc, msg in errors:
        with pytest.raises(exc) as e:
            tu.register_dataclass(*args)
        assert str(e.value) == msg


def test_register_static():
    @tu.register_static
    class S:
        def __init__(self, v):
            self.v = v

        def __repr__(self):
            return f"S({self.v})"

    leaves, treedef = tu.tree_flatten([S(1), 2])
    assert leaves == [2] and str(treedef) == "PyTreeDef([CustomNode(S[S(1)], []), *])"


def test_partial_through_jit():
    traces = []

    @lintra.jit
    def call(p, x):
        traces.append(1)
        return p(x)

    mul = lambda x, y: x * y  # noqa: E731
    assert float(call(tu.Partial(mul, 2.0), 3.0)) == 6.0
    assert float(call(tu.Partial(mul, 5.0), 3.0)) == 15.0   # the bound argument is a leaf: no retrace
    assert len(traces) == 1
    assert float(call(tu.Partial(jnp.add, 5.0), 3.0)) == 8.0  # the function is static: a new trace
    assert len(traces) == 2
    # a functools.partial inside keeps its own arguments static
    assert float(call(tu.Partial(functools.partial(mul, 1.5)), 3.0)) == 4.5 and len(traces) == 3
    out = lintra.jit(lambda a: tu.Partial(mul, a))(jnp.float32(4.0))
    assert type(out) is tu.Partial and float(out(2.0)) == 8.0
    assert float(lintra.grad(lambda a: tu.Partial(mul, a)(3.0))(2.0)) == 3.0
    leaves, treedef = tu.tree_flatten(tu.Partial(mul, 2.0))
    assert leaves == [2.0] and str(treedef).startswith("PyTreeDef(CustomNode(Partial[<function")


def test_dataclass_through_jit_vmap_grad():
    @dataclasses.dataclass
    class M:
        w: object
        scale: float = lintra.tree.static(default=2.0)
    tu.register_dataclass(M)
    traces = []

    @lintra.jit
    def g(m):
        traces.append(1)
        return m.w * m.scale

    np.testing.assert_array_equal(g(M(jnp.ones(2))), [2.0, 2.0])
    np.testing.assert_array_equal(g(M(jnp.zeros(2))), [0.0, 0.0])
    np.testing.assert_array_equal(g(M(jnp.ones(2), 3.0)), [3.0, 3.0])
    assert len(traces) == 2
    np.testing.assert_array_equal(lintra.vmap(lambda m: m.w.sum())(M(jnp.ones((3, 2)))), [2.0, 2.0, 2.0])
    dm = lintra.grad(lambda m: (m.w ** 2).sum())(M(jnp.ones(2)))
    assert type(dm) is M and dm.scale == 2.0
    np.testing.assert_array_equal(dm.w, [2.0, 2.0])


def test_transpose_broadcast_reductions_treedefs():
    s = tu.tree_structure
    assert tu.tree_transpose(s([0, 0]), s((0, 0)), [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
    assert lintra.tree.transpose(s([0, 0]), None, [{"a": 1, "b": 2}, {"a": 3, "b": 4}]) == {"a": [1, 3], "b": [2, 4]}
    with pytest.raises(TypeError) as e:
        tu.tree_transpose(s([0, 0]), s((0, 0)), [(1, 2), (3,)])
    assert str(e.value) == "Mismatch\nPyTreeDef([(*, *), (*,)])\n != \nPyTreeDef([(*, *), (*, *)])"
    assert lintra.tree.broadcast([1, {"x": 2}], [[3, 4], {"x": (5, 6)}]) == [[1, 1], {"x": (2, 2)}]
    with pytest.raises(ValueError) as e:
        tu.tree_broadcast([1, 2], [1, 2, 3])
    assert str(e.value) == (
        "pytree structure error: different lengths of list at key path\n    broadcast_prefix prefix_tree\nAt that "
        "key path, the prefix pytree broadcast_prefix prefix_tree has a subtree of type list of length 2, but the "
        "full pytree has a subtree of the same type but of length 3.")
    assert tu.tree_reduce(lambda a, b: a + b, [1, 2, 3]) == 6
    assert tu.tree_reduce(lambda a, b: a + [b], [1, 2], []) == [1, 2]
    with pytest.raises(TypeError, match="reduce\\(\\) of empty iterable with no initial value"):
        tu.tree_reduce(lambda a, b: a + b, [])
    assert lintra.tree.reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == ((1, 2), (3, (4, 5)))
    assert tu.tree_all([1, True, 0]) is False and lintra.tree.all({"a": [1, True]}) is True
    assert tu.all_leaves([1, 2]) and not tu.all_leaves([[1]])
    assert tu.all_leaves([(1,)], is_leaf=lambda x: isinstance(x, tuple))
    assert [str(t) for t in tu.treedef_children(s([(1, 2), 3, {"a": 4}]))] == [
        "PyTreeDef((*, *))", "PyTreeDef(*)", "PyTreeDef({'a': *})"]
    assert str(tu.treedef_tuple([s([1]), s(1)])) == "PyTreeDef(([*], *))"
    assert tu.treedef_is_leaf(s(1)) and not tu.treedef_is_leaf(s([1, 2]))
    assert tu.flatten_one_level({"b": 1, "a": 2}) == ((2, 1), ("a", "b"))
    assert tu.flatten_one_level_with_keys([1, 2]) == (((tu.SequenceKey(0), 1), (tu.SequenceKey(1), 2)), None)
    with pytest.raises(ValueError, match="can't tree-flatten type: <class 'int'>"):
        tu.flatten_one_level(1)


MISMATCHES = [
    (([1, 2], [1, 2, 3]),
     "pytree structure error: different lengths of list at key path\n    tree_map tree\nAt that key path, the prefix "
     "pytree tree_map tree has a subtree of type list of length 2, but the full pytree has a subtree of the same type "
     "but of length 3."),
    (({"a": 1}, {"b": 1}),
     "pytree structure error: different pytree metadata at key path\n    tree_map tree\nAt that key path, the prefix "
     "pytree tree_map tree has a subtree of type\n    <class 'dict'>\nwith metadata\n    ('a',)\nbut at the same key "
     "path the full pytree has a subtree of the same type but with metadata\n    ('b',)\nso the diff in the metadata "
     "at these pytree nodes is\n    - ('a',)\n    ?   ^\n\n    + ('b',)\n    ?   ^\n"),
    (((1, 2), [1, 2]),
     "pytree structure error: different types at key path\n    tree_map tree\nAt that key path, the prefix pytree "
     "tree_map tree has a subtree of type\n    <class 'tuple'>\nbut at the same key path the full pytree has a subtree "
     "of different type\n    <class 'list'>."),
    (({"a": 1, "b": 2}, {"a": 1}),
     "pytree structure error: different numbers of pytree children at key path\n    tree_map tree\nAt that key path, "
     "the prefix pytree tree_map tree has a subtree of type\n    <class 'dict'>\nwith 2 child keys\n    a b\nbut at "
     "the same key path the full pytree has a subtree of the same type but with 1 child keys\n    a\nso the symmetric "
     "difference on key sets is\n    b"),
    ((D(1, 2, 3), D(1, 2, 4)),
     "pytree structure error: different pytree metadata at key path\n    tree_map tree\nAt that key path, the prefix "
     "pytree tree_map tree has a subtree of type\n    <class 'test_tree_util.D'>\nwith metadata\n    (3,)\nbut at the "
     "same key path the full pytree has a subtree of the same type but with metadata\n    (4,)\nso the diff in the "
     "metadata at these pytree nodes is\n    - (3,)\n    ?  ^\n\n    + (4,)\n    ?  ^\n"),
]


@pytest.mark.parametrize("trees,message", MISMATCHES)
def test_mismatched_structures_raise_as_jax(trees, message):
    with pytest.raises(ValueError) as e:
        tu.tree_map(lambda *x: x, *trees)
    # JAX ran this from __main__; the class's module differs, nothing else
    assert str(e.value) == message.replace("test_tree_util.D", D.__module__ + ".D")


def test_mismatch_below_the_root_names_the_key_path():
    with pytest.raises(ValueError) as e:
        lintra.tree.map_with_path(lambda p, x, y: x, {"a": [1, 2]}, {"a": [1, 2, 3]})
    assert str(e.value).startswith(
        "pytree structure error: different lengths of list at key path\n    tree_map_with_path tree['a']\n")


# (leaves, flat dtype, flat weak type, flat values, [(dtype, shape, weak type) of the unraveled leaves])
RAVEL = {
    "f32": ({"a": jnp.ones((2, 2)), "b": jnp.arange(3.0)}, "float32", False, [1, 1, 1, 1, 0, 1, 2],
            [("float32", (2, 2), False), ("float32", (3,), False)]),
    "i32_f32": ([jnp.arange(3), jnp.ones(2)], "float32", False, [0, 1, 2, 1, 1],
                [("int32", (3,), False), ("float32", (2,), False)]),
    "i32_f16": ([jnp.arange(2), jnp.ones(2, jnp.float16)], "float16", False, [0, 1, 1, 1],
                [("int32", (2,), False), ("float16", (2,), False)]),
    "bool_i8": ([jnp.array([True]), jnp.array([3], jnp.int8)], "int8", False, [1, 3],
                [("bool", (1,), False), ("int8", (1,), False)]),
    "pyscalars": ([1.0, 2.0], "float32", True, [1, 2], [("float32", (), True), ("float32", (), True)]),
    "pyint_f32": ([1, jnp.ones(2)], "float32", False, [1, 1, 1], [("int32", (), False), ("float32", (2,), False)]),
    "np_f64": ([np.ones(2)], "float32", False, [1, 1], [("float32", (2,), False)]),
    "bf16_f16": ([jnp.ones(1, jnp.bfloat16), jnp.ones(1, jnp.float16)], "float32", False, [1, 1],
                 [("bfloat16", (1,), False), ("float16", (1,), False)]),
    "u8_i8": ([jnp.ones(1, jnp.uint8), jnp.ones(1, jnp.int8)], "int16", False, [1, 1],
              [("uint8", (1,), False), ("int8", (1,), False)]),
    "c64_f32": ([jnp.ones(1, jnp.complex64), jnp.ones(1)], "complex64", False, [1, 1],
                [("complex64", (1,), False), ("float32", (1,), False)]),
    "empty": ([], "float32", False, [], []),
}


@pytest.mark.parametrize("name", RAVEL)
def test_ravel_pytree_matches_jax(name):
    tree, dtype, weak, values, leaf_types = RAVEL[name]
    flat, unravel = ravel_pytree(tree)
    assert (flat.dtype.name, flat.weak_type, flat.shape) == (dtype, weak, (len(values),))
    np.testing.assert_array_equal(flat, np.array(values, dtype=flat.dtype))
    back = unravel(flat)
    assert tu.tree_structure(back) == tu.tree_structure(tree)
    assert [(x.dtype.name, x.shape, x.weak_type) for x in tu.tree_leaves(back)] == leaf_types
    for a, b in zip(tu.tree_leaves(back), tu.tree_leaves(tree)):
        np.testing.assert_array_equal(a, np.asarray(b))


def test_unravel_dtype_rules_and_transformations():
    flat, unravel = ravel_pytree([jnp.arange(2), jnp.ones(2)])
    with pytest.raises(TypeError) as e:
        unravel(flat.astype(jnp.int32))
    assert str(e.value) == "unravel function given array of dtype int32, but expected dtype float32"
    flat, unravel = ravel_pytree([jnp.ones(2), jnp.ones(2)])
    assert unravel(flat.astype(jnp.float16))[0].dtype == jnp.float16   # one dtype: unravel is dtype-polymorphic
    g = lintra.grad(lambda t: jnp.sum(ravel_pytree(t)[0] ** 2))({"a": 1.0, "b": jnp.ones(2)})
    assert float(g["a"]) == 2.0
    np.testing.assert_array_equal(g["b"], [2.0, 2.0])
    np.testing.assert_array_equal(lintra.jit(lambda f: ravel_pytree({"a": f, "b": f * 2})[0])(jnp.ones(2)),
                                  [1, 1, 2, 2])
    # unravel functions of one structure are equal and hash alike (JAX's HashablePartial)
    same, other = ravel_pytree([jnp.zeros(2), jnp.zeros(2)])[1], ravel_pytree([jnp.zeros(3), jnp.zeros(2)])[1]
    assert unravel == same and hash(unravel) == hash(same) and unravel != other
    # unravel under jit, its result a tree again
    out = lintra.jit(lambda v: unravel(v))(jnp.arange(4.0))
    np.testing.assert_array_equal(out[1], [2.0, 3.0])
