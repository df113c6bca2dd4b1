"""Pytrees, flattened by jaxlib's C++ registry (Lintra's own instance, not JAX's default one)."""
import functools

from ..runtime.pjrt import pytree as _pytree

registry = _pytree.PyTreeRegistry(enable_none=True, enable_tuple=True, enable_namedtuple=True,
                                  enable_list=True, enable_dict=True)
PyTreeDef = _pytree.PyTreeDef


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
    others = [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten(f(*xs) for xs in zip(flat, *others))


def register_pytree_node(nodetype, flatten_func, unflatten_func):
    """Register a type: flatten_func(x) -> (children, aux_data); unflatten_func(aux_data, children) -> x."""
    registry.register_node(nodetype, flatten_func, unflatten_func)
    return nodetype


def register_pytree_node_class(cls):
    """Class decorator: the class defines tree_flatten(self) and classmethod tree_unflatten(aux, children)."""
    registry.register_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def all_leaves(iterable, is_leaf=None):
    return all(registry.flatten(x, is_leaf)[1].num_nodes == 1 for x in iterable)


def reduce(f, tree, initializer=None, is_leaf=None):
    xs = leaves(tree, is_leaf)
    return functools.reduce(f, xs) if initializer is None else functools.reduce(f, xs, initializer)


tree_map, tree_flatten, tree_unflatten, tree_leaves, tree_structure = map, flatten, unflatten, leaves, structure
