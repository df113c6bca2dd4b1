"""Arrays made of several word arrays of their own shape (typed PRNG keys, frontend/prng.py: two uint32 words
per key), and the functions that apply to them word by word.

A function that only moves elements (reshape, stack, where, gather, dynamic_slice, ...) gives, applied to
each word of its inputs in turn, the words of its result: so `lax` and `lintra.numpy` mark such functions
`@wordwise`, and a key array passes through them as JAX's key<fry> arrays do. A function that computes
with element values (add, sum, sort, ...) is not marked, and refuses such arrays (`refuse`). This module sits
below lax and numpy; prng.py registers the key class with it.
"""
import functools

_KINDS = {}     # class -> (words(x) -> tuple of arrays, join(tuple of arrays) -> x, dtype name)


def register(cls, words, join, dtype_name):
    _KINDS[cls] = (words, join, dtype_name)


def is_words(x) -> bool:
    return x.__class__ in _KINDS


def _holds_words(x):
    return x.__class__ in _KINDS or (x.__class__ in (list, tuple) and any(e.__class__ in _KINDS for e in x))


def refuse(name, x):
    """The TypeError JAX raises for a key array given to a function that computes with values."""
    return TypeError(f"{name} does not accept dtype {_KINDS[x.__class__][2]}")


def wordwise(values=(0,), combine=None):
    """Decorator for a function that only moves elements: given arrays of words (keys) it runs once per word
    and joins the results. `values`: the positions (a tuple or a slice) of its arguments that hold the moved
    values (a sequence argument counts element by element); when one of them is a key array all must be (JAX
    does not mix keys with integers), and no other argument may be one. `combine`: how to merge the per-word
    results instead of joining them (array_equal: all words equal)."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            if not _KINDS or not (any(_holds_words(a) for a in args) or
                                  any(_holds_words(a) for a in kwargs.values())):
                return fn(*args, **kwargs)
            return _per_word(fn, values, combine, args, kwargs)
        return wrapped
    return decorate


def _per_word(fn, values, combine, args, kwargs):
    name = getattr(fn, "__name__", "function")
    moved = []
    for i in (range(len(args))[values] if isinstance(values, slice) else values):
        if i < len(args):
            a = args[i]
            moved += list(a) if a.__class__ in (list, tuple) else [a]
    kinds = {m.__class__ for m in moved if m.__class__ in _KINDS}
    if not kinds or len(kinds) > 1 or not all(m.__class__ in _KINDS for m in moved):
        found = next((m for m in moved if m.__class__ not in _KINDS), None)
        key = next(x for a in list(args) + list(kwargs.values())
                   for x in (a if a.__class__ in (list, tuple) else [a]) if x.__class__ in _KINDS)
        dtype = _KINDS[key.__class__][2]
        if found is None:
            raise TypeError(f"{name}: a key array (dtype {dtype}) where it takes indices or options")
        raise ValueError(f"dtype={dtype} is not a valid dtype for Lintra type promotion: {name} combines key "
                         f"arrays only with key arrays, got {type(found).__name__} {found!r}")
    words, join, _ = _KINDS[next(iter(kinds))]
    n = len(words(moved[0]))

    def word(x, k):
        if x.__class__ in _KINDS:
            return words(x)[k]
        if x.__class__ in (list, tuple) and any(e.__class__ in _KINDS for e in x):
            return x.__class__(word(e, k) for e in x)
        return x
    outs = [fn(*[word(a, k) for a in args], **{key: word(v, k) for key, v in kwargs.items()}) for k in range(n)]
    if combine is not None:
        return functools.reduce(combine, outs)
    if isinstance(outs[0], (list, tuple)):
        return outs[0].__class__(join(parts) for parts in zip(*outs))
    return join(outs)
