"""--pass-timing: wall time per pass, as a table in the layout of mlir-opt's -mlir-timing report.

Each position in the pipeline is a row (a pass run twice is two rows), with parsing and output as rows of
their own; with --split-input-file the times of all chunks are summed.
"""
import time


class Timing:
    def __init__(self):
        self.start = time.perf_counter()
        self.rows = {}     # key -> [label, seconds], in first-seen order

    def add(self, key, label, seconds):
        self.rows.setdefault(key, [label, 0.0])[1] += seconds

    def timed(self, key, label):
        timing = self

        class _Timer:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                timing.add(key, label, time.perf_counter() - self.t0)

        return _Timer()

    def report(self) -> str:
        total = time.perf_counter() - self.start
        bar = "===" + "-" * 73 + "==="
        lines = [bar, " " * 25 + "... Pass execution timing report ...", bar,
                 f"  Total Execution Time: {total:.4f} seconds", "", "  ----Wall Time----  ----Name----"]
        share = lambda s: 100.0 * s / total if total > 0 else 0.0
        for label, seconds in self.rows.values():
            lines.append(f"  {seconds:8.4f} ({share(seconds):5.1f}%)  {label}")
        lines.append(f"  {total:8.4f} ({100.0:5.1f}%)  Total")
        return "\n".join(lines) + "\n"
