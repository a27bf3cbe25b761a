"""Build logging: one line per stage with its duration, as text or JSON, to stderr."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Iterator

LOGGER = logging.getLogger("reportgen")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                 "level": record.levelname.lower(), "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False)


class CurrentStderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is at each line: while progress bars show, that is rich's
    proxy, which prints the line above the bars."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def configure_logging(verbosity: int, log_format: str) -> None:
    """verbosity: -1 quiet (errors only), 0 stage lines, 1 detail."""
    level = {-1: logging.ERROR, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = CurrentStderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter("reportgen: %(message)s"))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False


@contextlib.contextmanager
def stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    """Time a pipeline stage, record it (adding up when it runs once per document of a paper),
    and log one line when it ends."""
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    timings[name] = timings.get(name, 0.0) + seconds
    LOGGER.info("%-8s %6.2f s", name, seconds, extra={"fields": {"stage": name,
                                                                  "seconds": round(seconds, 3)}})
