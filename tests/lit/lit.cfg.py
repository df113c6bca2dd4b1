"""lit configuration for the FileCheck pass tests: each .lir file's RUN lines run lintra-opt on it."""
import os
import shutil
import sys

import lit.formats

config.name = "lintra"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".lir"]
config.test_source_root = os.path.dirname(__file__)


def _tool(name):
    """The tool from the Python environment lit runs in (its bin directory), else from PATH."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    found = here if os.path.exists(here) else shutil.which(name)
    if found is None:
        lit_config.fatal(f"cannot find {name}: install Lintra with its test extras (pip install -e '.[test]')")
    return found


for _name in ("lintra-opt", "lintra-run", "lintra-dump", "filecheck"):
    # a whole word only, so paths that merely contain the name are left alone
    config.substitutions.append((rf"(?<![\w/.-]){_name}(?![\w-])", _tool(_name)))

# files that RUN lines read, not tests themselves
config.excludes = ["Inputs"]
