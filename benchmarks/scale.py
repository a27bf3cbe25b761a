"""A large pack's memory: the biggest single process and the build's processes together, with
priorities laid out in runs of MAX_PART_PAGES measure pages (today's) and in one part each (as
before runs), to show a layout worker's memory is bounded by the part, not the pack.

    .venv/bin/python benchmarks/scale.py [--measures 1000] [--part-pages 24 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import _pss_mb, _tree
from synthetic import make_project

# The CLI with the run length set first: the layout workers are forked, so they see it.
CLI = ("import sys; import reportgen.layout.parts as parts; "
       "parts.MAX_PART_PAGES = int(sys.argv.pop(1)); from reportgen.cli import main; main()")


class Peaks(threading.Thread):
    """Sampled every 0.2 s: the largest resident set of one process, and the proportional set
    sizes of the process and its descendants summed."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.one_mb, self.all_mb, self._done = pid, 0.0, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            pids = _tree(self.pid)
            self.all_mb = max(self.all_mb, sum(map(_pss_mb, pids)))
            self.one_mb = max(self.one_mb, max(map(_rss_mb, pids), default=0.0))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--part-pages", type=int, nargs="+", default=[24, 100_000])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        project = make_project(Path(temporary) / "project", args.measures)
        print(f"{args.measures} measures, --jobs {args.jobs}, cold (empty output folder)")
        print("measure pages per part | seconds | pages | biggest process MB | all processes MB")
        for part_pages in args.part_pages:
            output = Path(temporary) / f"out-{part_pages}"
            started = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.execv(sys.executable, [sys.executable, "-c", CLI, str(part_pages), "-q",
                                          "build", str(project), "-o", str(output),
                                          "--jobs", str(args.jobs)])
            peaks = Peaks(pid)
            peaks.start()
            _, status = os.waitpid(pid, 0)
            peaks.stop()
            if os.waitstatus_to_exitcode(status):
                raise SystemExit(f"the build with {part_pages} pages a part failed")
            from pypdf import PdfReader

            pages = len(PdfReader(next(output.glob("*.pdf"))).pages)
            print(f"{part_pages:>22} | {time.perf_counter() - started:7.1f} | {pages:5} | "
                  f"{peaks.one_mb:18.0f} | {peaks.all_mb:16.0f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
