"""Mutation fuzzing of the lit files' IR: each mutant goes parse -> verify -> lower. The contract: the parser
rejects with a ParseError (line:col), the verifier with a VerificationError, and whatever verifies lowers.
`python -m lintra.tests.reliability.ir_mutations` is not importable (tests is no package): run this file
directly, `python tests/reliability/ir_mutations.py [SECONDS] [SEED]`, to hunt for more cases."""
import glob
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIT = os.path.join(os.path.dirname(HERE), "lit")

_TOKEN = re.compile(r"-?\d+\.\d+|-?\d+|%\w+|@\w+|\w+|\S")
_NUMBERS = ["0", "1", "-1", "2", "3", "-2", "7", "64", "2147483648", "-0.0", "1.5", "nan"]


def sources():
    """The functions of every lit file: text between `func` and its closing brace, RUN/CHECK lines dropped."""
    out = []
    for path in sorted(glob.glob(os.path.join(LIT, "*.lir"))):
        lines = [ln for ln in open(path).read().splitlines() if not ln.lstrip().startswith("//")]
        text = "\n".join(lines).strip()
        if text.startswith("func"):
            out.append((os.path.basename(path), text + "\n"))
    return out


def mutate(text, rng):
    """One random edit of one token: a number changed, a token dropped or duplicated, two tokens swapped, an
    attribute list entry changed."""
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    i = rng.randrange(len(toks))
    s, e = toks[i]
    kind = rng.random()
    if kind < 0.5 and re.fullmatch(r"-?\d+(\.\d+)?", text[s:e]):
        return text[:s] + rng.choice(_NUMBERS) + text[e:]
    if kind < 0.65:
        return text[:s] + text[e:]
    if kind < 0.8:
        return text[:s] + text[s:e] + " " + text[s:e] + text[e:]
    if kind < 0.9:
        j = rng.randrange(len(toks))
        s2, e2 = toks[j]
        if s2 > e:
            return text[:s] + text[s2:e2] + text[e:s2] + text[s:e] + text[e2:]
        return text
    return text[:s] + rng.choice(_NUMBERS + ["f32", "i32", "bool", "[]", "[0, 0]", "true"]) + text[e:]


def check(text):
    """'parse', 'verify' (rejected there, as allowed), 'lowered', 'open', or raises what broke the contract.
    'open': the function refers to something outside it that this process lacks: a collective's axis that
    no enclosing shard_map binds (the batch pass binds it, as vmap does), or an exported module not loaded
    here, or a mesh for values of sharded types when no op names one (the caller's SPMD program gives it), or
    a `check` that no checkify pass discharged (checkify rewrites the function that holds it). Such IR is well
    formed; its lowering refuses it with an error naming what is missing."""
    from lintra.ir.parser import ParseError, parse_module
    from lintra.ir.verifier import VerificationError, verify
    from lintra.lowering.lower import lower_text
    try:
        module = parse_module(text)
    except ParseError:
        return "parse"
    try:
        verify(module)
    except VerificationError:
        return "verify"
    try:
        for func in module.funcs.values():
            lower_text(func)
    except (NameError, ValueError) as e:
        if not any(m in str(e) for m in ("unbound axis name", "no exported module with fingerprint",
                                         "has values of sharded types but names no mesh",
                                         "Cannot abstractly evaluate a checkify.check")):
            raise
        return "open"
    return "lowered"


def fuzz(seconds, seed):
    """Mutants tried for `seconds`: (counts per outcome, [(file, mutant text, exception)] contract breaks)."""
    rng = random.Random(seed)
    srcs = sources()
    counts, failures = {"parse": 0, "verify": 0, "lowered": 0, "open": 0, "broken": 0}, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        name, text = rng.choice(srcs)
        mutant = mutate(text, rng)
        try:
            counts[check(mutant)] += 1
        except Exception as e:      # anything else breaks the contract
            counts["broken"] += 1
            failures.append((name, mutant, e))
    return counts, failures


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 60
    counts, failures = fuzz(secs, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(counts)
    seen = set()
    for name, mutant, e in failures:
        key = (type(e).__name__, str(e).split("\n")[0][:120])
        if key in seen:
            continue
        seen.add(key)
        print(f"==== {name}: {type(e).__name__}: {str(e)[:400]}\n{mutant}")
