"""lintra.debug: print and callback (host callbacks, see callbacks.py) and visualize_array_sharding, a text
table of which devices hold which part of an array."""
import builtins

from .callbacks import debug_callback as callback, debug_print as print  # noqa: F401  (public names)

def _cells(array):
    """{(row slice, column slice): [device ids]} for a 1-D or 2-D array."""
    shape = array.shape if array.ndim == 2 else (1,) + tuple(array.shape)
    cells = {}
    for shard in array.addressable_shards:
        index = tuple((s.start or 0, s.stop if s.stop is not None else n) for s, n in
                      zip(shard.index if array.ndim == 2 else (slice(None),) + tuple(shard.index), shape))
        cells.setdefault(index, []).append(shard.device)
    return cells


def sharding_table(array) -> str:
    """The table visualize_array_sharding prints: one box per distinct shard, naming the devices holding it
    (as JAX's, in plain text)."""
    if array.ndim not in (1, 2):
        raise ValueError(f"visualize_array_sharding only supports arrays of rank 1 or 2, got rank {array.ndim}")
    cells = _cells(array)
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    label = {k: f"{v[0].platform.upper()} {','.join(str(d.id) for d in sorted(v, key=lambda d: d.id))}"
             for k, v in cells.items()}
    width = max(len(v) for v in label.values()) + 2
    line = "+" + "+".join("-" * width for _ in cols) + "+"
    out = [line]
    for r in rows:
        out.append("|" + "|".join(label.get((r, c), "").center(width) for c in cols) + "|")
        out.append(line)
    return "\n".join(out)


def visualize_array_sharding(array, *, use_color=False, scale=1.0, min_width=9, max_width=80):
    """Print which devices hold which part of the 1-D or 2-D `array`."""
    builtins.print(sharding_table(array))
