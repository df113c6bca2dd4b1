"""python -m lintra.compat SCRIPT.py [ARGS...]: run an unmodified JAX script on Lintra."""
import runpy
import sys

from . import alias_jax


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m lintra.compat SCRIPT.py [ARGS...]\n\nRuns SCRIPT.py with `import jax` (and every "
              "jax.* module) resolved to Lintra.", file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    alias_jax()
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
