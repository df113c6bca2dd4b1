"""`lintra.tree_util`: JAX's `jax.tree_util` names for lintra.tree (frontend/tree_public.py)."""
from .tree_public import (DictKey, FlattenedIndexKey, GetAttrKey, Partial, PyTreeDef, SequenceKey, all_leaves,
                          flatten_one_level, flatten_one_level_with_keys, is_tree_node, keystr, register_dataclass,
                          register_pytree_node, register_pytree_node_class, register_pytree_with_keys,
                          register_pytree_with_keys_class, register_static, treedef_children, treedef_is_leaf,
                          treedef_tuple)
from .tree_public import registry as default_registry
from .tree_public import (all as tree_all, broadcast as tree_broadcast, flatten as tree_flatten,
                          flatten_with_path as tree_flatten_with_path, leaves as tree_leaves,
                          leaves_with_path as tree_leaves_with_path, map as tree_map,
                          map_with_path as tree_map_with_path, reduce as tree_reduce,
                          reduce_associative as tree_reduce_associative,
                          structure as tree_structure, transpose as tree_transpose, unflatten as tree_unflatten)
from typing import Any as _Any, TypeVar as _TypeVar

KeyEntry = _TypeVar("KeyEntry", bound=_Any)
KeyPath = tuple[KeyEntry, ...]
