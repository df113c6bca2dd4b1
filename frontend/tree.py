"""Pytrees as JAX 0.10.2 has them, flattened by jaxlib's C++ registries (Lintra's own instances, not JAX's
default one). Key paths and the key classes (GetAttrKey, DictKey, SequenceKey, FlattenedIndexKey) are
jaxlib's own.

Two registries, alike but for typed PRNG key arrays. In `registry`, which Lintra's transformations flatten
with (jit's C++ fast path too), a key array is a node of its two uint32 words (frontend/prng.py), so every
IR value is a plain array. In `leaf_registry` a key array is one leaf, as in JAX: `lintra.tree` and
`lintra.tree_util` (frontend/tree_public.py) are this module's functions over it. Every registration goes
into both."""
import builtins
import collections
import dataclasses
import difflib
import functools
import textwrap

from ..runtime.pjrt import pytree as _pytree

registry, leaf_registry = (_pytree.PyTreeRegistry(enable_none=True, enable_tuple=True, enable_namedtuple=True,
                                                   enable_list=True, enable_dict=True) for _ in range(2))
PyTreeDef = _pytree.PyTreeDef
GetAttrKey, DictKey = _pytree.GetAttrKey, _pytree.DictKey
SequenceKey, FlattenedIndexKey = _pytree.SequenceKey, _pytree.FlattenedIndexKey


class _Unspecified:
    """Default of tree_reduce's initializer, so that None can be an initializer (as in JAX)."""


# --- flattening ---

def flatten(tree, is_leaf=None):
    return registry.flatten(tree, is_leaf)


def unflatten(treedef, leaves):
    return treedef.unflatten(leaves)


def leaves(tree, is_leaf=None):
    return registry.flatten(tree, is_leaf)[0]


def structure(tree, is_leaf=None):
    return registry.flatten(tree, is_leaf)[1]


def map(f, tree, *rest, is_leaf=None):
    flat, treedef = registry.flatten(tree, is_leaf)
    others = [_up_to(treedef, tree, r, is_leaf, "tree_map tree") for r in rest]
    return treedef.unflatten(f(*xs) for xs in zip(flat, *others))


def _is_leaf_with_path(is_leaf, is_leaf_takes_path):
    return is_leaf if is_leaf is None or is_leaf_takes_path else (lambda _, x: is_leaf(x))


def flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """([(key path, leaf)], treedef); a key path is a tuple of jaxlib key objects."""
    return registry.flatten_with_path(tree, _is_leaf_with_path(is_leaf, is_leaf_takes_path))


def leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    return flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    pairs, treedef = flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    others = [_up_to(treedef, tree, r, is_leaf, "tree_map_with_path tree") for r in rest]
    return treedef.unflatten(f(p, x, *xs) for (p, x), *xs in zip(pairs, *others))


def keystr(keys, *, simple=False, separator=""):
    """"['a'][0].b" from a key path; simple=True drops the brackets and dots ("a", "0", "b")."""
    return separator.join(builtins.map(_simple_entrystr if simple else str, keys))


def _simple_entrystr(key):
    for cls, attr in ((SequenceKey, "idx"), (DictKey, "key"), (GetAttrKey, "name"), (FlattenedIndexKey, "key")):
        if isinstance(key, cls):
            return str(getattr(key, attr))
    return str(key)


def flatten_one_level(tree):
    out = registry.flatten_one_level(tree)
    if out is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return out


def flatten_one_level_with_keys(tree):
    out = registry.flatten_one_level_with_keys(tree)
    if out is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return out


def is_tree_node(typ):
    return registry.is_node(typ)


def all_leaves(iterable, is_leaf=None):
    if is_leaf is None:
        return _pytree.all_leaves(registry, iterable)
    items = list(iterable)
    found = leaves(items, is_leaf)
    return len(found) == len(items) and builtins.all(a is b for a, b in zip(items, found))


# --- treedefs ---

def treedef_tuple(treedefs):
    return _pytree.treedef_tuple(registry, list(treedefs))


def treedef_children(treedef):
    return treedef.children()


def treedef_is_leaf(treedef):
    return treedef.num_nodes == 1


def _is_strict_leaf(treedef):
    return treedef.num_nodes == 1 and treedef.num_leaves == 1


# --- reductions and reshaping ---

def reduce(function, tree, initializer=_Unspecified(), is_leaf=None):
    xs = leaves(tree, is_leaf)
    if isinstance(initializer, _Unspecified):
        return functools.reduce(function, xs)
    return functools.reduce(function, xs, initializer)


def reduce_associative(operation, tree, *, identity=_Unspecified(), is_leaf=None):
    """Reduces the leaves as a balanced binary tree (halves, recursively), as JAX does."""
    def go(xs):
        if not xs:
            if isinstance(identity, _Unspecified):
                raise TypeError("Must specify identity for parallel reduction of empty sequence.")
            return identity
        if len(xs) == 1:
            return xs[0]
        return operation(go(xs[:len(xs) // 2]), go(xs[len(xs) // 2:]))
    return go(leaves(tree, is_leaf))


def all(tree, *, is_leaf=None):
    return builtins.all(leaves(tree, is_leaf))


def transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """A tree of outer_treedef whose leaves are trees of inner_treedef -> the other way round."""
    flat, treedef = flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    inner, outer = inner_treedef.num_leaves, outer_treedef.num_leaves
    if treedef.num_leaves != inner * outer:
        raise TypeError(f"Mismatch\n{treedef}\n != \n{outer_treedef.compose(inner_treedef)}")
    rows = [flat[i * inner:(i + 1) * inner] for i in range(outer)]
    return inner_treedef.unflatten([outer_treedef.unflatten(col) for col in zip(*rows)])


def broadcast(prefix_tree, full_tree, is_leaf=None):
    """full_tree's structure, each leaf the prefix_tree leaf above it."""
    out = []
    try:
        map(lambda x, sub: out.extend([x] * structure(sub).num_leaves), prefix_tree, full_tree, is_leaf=is_leaf)
    except ValueError:
        raise next(_prefix_error((), prefix_tree, full_tree, is_leaf))("broadcast_prefix prefix_tree") from None
    return structure(full_tree).unflatten(out)


# --- structure errors, worded as JAX's ---

def _up_to(treedef, tree, other, is_leaf, name):
    """treedef.flatten_up_to(other); on a mismatch, JAX's error naming the key path where they differ."""
    try:
        return treedef.flatten_up_to(other)
    except Exception as e:
        err = next(_prefix_error((), tree, other, is_leaf), None)
        raise (err(name) if err is not None else e) from None


def _child_keys(tree):
    return tuple(k for k, _ in flatten_one_level_with_keys(tree)[0])


def _prefix_error(path, prefix, full, is_leaf=None):
    """Yields functions name -> ValueError for the first place where `prefix` is not a prefix of `full`."""
    if _is_strict_leaf(structure(prefix, is_leaf)):
        return
    where = lambda name: f"at key path\n    {name}{keystr(path)}\n"
    if type(prefix) != type(full):
        yield lambda name: ValueError(
            f"pytree structure error: different types {where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type\n    {type(prefix)}\n"
            f"but at the same key path the full pytree has a subtree of different type\n    {type(full)}.")
        return
    p_children, p_meta = flatten_one_level(prefix)
    f_children, f_meta = flatten_one_level(full)
    p_children, f_children = tuple(p_children), tuple(f_children)
    p_keys, f_keys = _child_keys(prefix), _child_keys(full)
    if isinstance(prefix, (list, tuple)):
        if len(prefix) != len(full):
            ty = type(prefix).__name__
            yield lambda name: ValueError(
                f"pytree structure error: different lengths of {ty} {where(name)}"
                f"At that key path, the prefix pytree {name} has a subtree of type {ty} of length "
                f"{len(prefix)}, but the full pytree has a subtree of the same type but of length {len(full)}.")
            return
    elif len(p_children) != len(f_children):
        try:
            diff = set(p_keys).symmetric_difference(f_keys)
        except Exception:   # unhashable keys: JAX then leaves the difference out
            diff = None
        yield lambda name: ValueError(
            f"pytree structure error: different numbers of pytree children {where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type\n    {type(prefix)}\n"
            f"with {len(p_children)} child keys\n    {' '.join(str(k.key) for k in p_keys)}\n"
            f"but at the same key path the full pytree has a subtree of the same type but with "
            f"{len(f_children)} child keys\n    {' '.join(str(k.key) for k in f_keys)}\n"
            + ("" if diff is None else
               f"so the symmetric difference on key sets is\n    {' '.join(str(k.key) for k in diff)}"))
        return
    if p_meta != f_meta:
        p_str, f_str = str(p_meta), str(f_meta)
        ndiff = textwrap.indent("\n".join(difflib.ndiff(p_str.splitlines(), f_str.splitlines())), "    ")
        yield lambda name: ValueError(
            f"pytree structure error: different pytree metadata {where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type\n    {type(prefix)}\n"
            f"with metadata\n    {p_str}\n"
            f"but at the same key path the full pytree has a subtree of the same type but with metadata\n"
            f"    {f_str}\nso the diff in the metadata at these pytree nodes is\n{ndiff}")
        return
    for k, a, b in zip(p_keys, p_children, f_children):
        yield from _prefix_error((*path, k), a, b)


# --- registration ---

def register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func=None):
    """flatten_func(x) -> (children, aux_data); unflatten_func(aux_data, children) -> x; without
    flatten_with_keys_func, children's keys are FlattenedIndexKey(i)."""
    for r in (registry, leaf_registry):
        r.register_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


def register_words_node(nodetype, words, join):
    """A class of arrays made of word arrays (key arrays): a node of its words for Lintra's transformations,
    a leaf for users."""
    registry.register_node(nodetype, lambda x: (words(x), None), lambda _, ws: join(ws))


def register_pytree_node_class(cls):
    """Class decorator: the class defines tree_flatten(self) and classmethod tree_unflatten(aux, children)."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    """flatten_with_keys(x) -> ([(key, child)], aux_data)."""
    if flatten_func is None:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [c for _, c in pairs], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_with_keys_class(cls):
    flatten_func = (lambda x: x.tree_flatten()) if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(), cls.tree_unflatten, flatten_func)
    return cls


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """Data fields are children, meta fields aux data; without either, fields declared with
    metadata {"static": True} (tree.static()) are meta and the rest data."""
    if data_fields is None or meta_fields is None:
        if (data_fields is None) != (meta_fields is None):
            raise TypeError("register_dataclass: data_fields and meta_fields must both be specified when either "
                            f"is specified. Got {data_fields=} {meta_fields=}.")
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError("register_dataclass: data_fields and meta_fields are required when nodetype is not a "
                            f"dataclass. Got {nodetype=}.")
        fields = dataclasses.fields(nodetype)
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
    if dataclasses.is_dataclass(nodetype):
        init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
        if {*meta_fields, *data_fields} != init_fields:
            msg = "data_fields and meta_fields must include all dataclass fields with ``init=True`` and only them."
            if missing := init_fields - {*meta_fields, *data_fields}:
                msg += f" Missing fields: {missing}. Add them to drop_fields to suppress this error."
            if unexpected := {*meta_fields, *data_fields} - init_fields:
                msg += f" Unexpected fields: {unexpected}."
            raise ValueError(msg)
    if overlap := set(data_fields) & set(meta_fields):
        raise ValueError(f"data_fields and meta_fields must not overlap. Overlapping fields: {overlap}.")
    for r in (registry, leaf_registry):
        r.register_dataclass_node(nodetype, list(data_fields), list(meta_fields))
    return nodetype


def static(**kwargs):
    """A dataclass field that register_dataclass treats as metadata (part of the treedef, not a leaf)."""
    metadata = {"static": True, **(kwargs.pop("metadata", {}) or {})}
    return dataclasses.field(metadata=metadata, **kwargs)


def register_static(cls):
    """Instances of cls are nodes without children: the instance itself is the aux data (so it must hash)."""
    register_pytree_with_keys(cls, lambda obj: ((), obj), lambda obj, _: obj)
    return cls


# JAX registers these two in Python too; jaxlib's registry treats them as leaves otherwise.
register_pytree_with_keys(
    collections.OrderedDict,
    lambda x: (tuple((DictKey(k), x[k]) for k in x.keys()), tuple(x.keys())),
    lambda keys, values: collections.OrderedDict(zip(keys, values, strict=True)))
register_pytree_with_keys(
    collections.defaultdict,
    lambda d: (tuple((DictKey(k), d[k]) for k in sorted(d)), (d.default_factory, tuple(sorted(d)))),
    lambda s, values: collections.defaultdict(s[0], zip(s[1], values, strict=True)))


# --- Partial ---

class _HashableCallableShim:
    """Wraps a functools.partial given to Partial, so that the treedef (whose aux data is the function)
    compares and hashes it by the partial's identity-based equality, and its args stay out of the leaves."""

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args, **kw):
        return self.fun(*args, **kw)

    def __hash__(self):
        return hash(self.fun)

    def __eq__(self, other):
        return self.fun == (other.fun if isinstance(other, _HashableCallableShim) else other)

    def __repr__(self):
        return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
    """functools.partial as a pytree: the bound arguments are children, the function is static (aux data),
    so a Partial can be passed to jit-compiled functions and transformed like any other tree."""

    def __new__(klass, func, *args, **kw):
        if isinstance(func, functools.partial):
            original = func
            func = _HashableCallableShim(original)
            out = super().__new__(klass, func, *args, **kw)
            func.func, func.args, func.keywords = original.func, original.args, original.keywords
            return out
        return super().__new__(klass, func, *args, **kw)


register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func),
                     lambda func, xs: Partial(func, *xs[0], **xs[1]))

