"""--split-input-file: one file, many independent cases, `// -----` between them (as mlir-opt).

Each chunk is parsed, transformed and diagnosed on its own. A chunk starts on its marker's line (the marker
itself blanked), so a line number inside a chunk counts from the marker, and diagnostics name the chunk as
MLIR does: `within split at FILE:N offset :L:C`, N being the marker's line in the whole file (1 for the first
chunk) and L the line within the chunk; the line in the whole file is N + L - 1.
"""
from typing import NamedTuple

SPLIT_MARKER = "// -----"


class Chunk(NamedTuple):
    text: str
    first_line: int    # the line of the whole file that is line 1 of this chunk


def split_input(text: str, split: bool):
    """The chunks of `text`: all of it when not splitting, else the pieces between marker lines."""
    if not split:
        return [Chunk(text, 1)]
    chunks, lines, first = [], [], 1
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.strip() == SPLIT_MARKER:
            chunks.append(Chunk("".join(lines), first))
            lines, first = ["\n"], number     # the marker's line becomes the chunk's (empty) first line
        else:
            lines.append(line)
    chunks.append(Chunk("".join(lines), first))
    return chunks


def join_outputs(outputs):
    """Chunk outputs with a marker line between them, as mlir-opt prints them."""
    return f"{SPLIT_MARKER}\n".join(outputs)
