"""A batch's projects or areas → Dask tasks (`batch --scheduler`): each task is sent its inputs as
bytes and returns its outputs as bytes, which the client publishes into the output folder as a
local batch does. Workers need reportgen installed, and no folder shared with the client."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import re
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reportgen.batch import AreaItem, BatchItem, BatchOutcome, Item, build_item, failed
from reportgen.errors import EXIT_UNAVAILABLE, ReportgenError
from reportgen.load.tables import TABLE_FILES
from reportgen.publish.files import publish_set
from reportgen.publish.lock import output_lock
from reportgen.publish.manifest import input_files

RETRIES = 2  # a task whose worker was lost runs again, on another, up to this many times
CONNECT_SECONDS = 10
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(tcp|tls|ws|wss|inproc|ucx)://\S+|[A-Za-z0-9.-]+:\d+")
BASE_CONFIG = ".reportgen-base"  # where a task puts the batch's shared report.toml


class SchedulerUnavailable(ReportgenError):
    """The Dask scheduler named by --scheduler cannot be reached; a later run may succeed."""

    exit_code = EXIT_UNAVAILABLE


def check_scheduler(text: str) -> str | None:
    """Why --scheduler's value is not one we take, or None."""
    match = _LOCAL.fullmatch(text)
    if match:
        return None if 1 <= int(match[1]) <= 64 else "expected local:N with N from 1 to 64"
    return None if _ADDRESS.fullmatch(text) else \
        "expected a scheduler's address such as tcp://HOST:8786, or local:N"


@dataclass(frozen=True)
class Bundle:
    """A task's input files: paths relative to the bundle's top folder, and their bytes."""

    files: tuple[tuple[str, bytes], ...]
    project: str  # the project folder, relative to the top
    base_config: str | None = None  # the batch's shared report.toml, relative to the top


@dataclass(frozen=True)
class Task:
    item: Item  # with the client's paths: the worker puts them under its own folder
    bundle: Bundle
    source_date_epoch: str | None  # the client's, so that every worker dates builds alike


@dataclass(frozen=True)
class TaskResult:
    ok: bool
    files: tuple[tuple[str, bytes], ...]  # outputs, relative to the output folder
    seconds: float
    message: str
    exit_code: int
    pages: int = 0


def run_on_dask(items: Sequence[Item], scheduler: str, verbose: bool = False
                ) -> list[BatchOutcome]:
    """Outcomes in the order of items, each published as its task comes back."""
    from distributed import as_completed

    outcomes: list[BatchOutcome | None] = [None] * len(items)
    with _client(scheduler, verbose) as client:
        futures = {}
        for index, item in enumerate(items):
            task = Task(item, bundle_for(item), os.environ.get("SOURCE_DATE_EPOCH"))
            future = client.submit(remote_build, task, key=f"reportgen-{index}-{item.label}",
                                   retries=RETRIES, pure=False)
            futures[future] = index
        for future in as_completed(futures):
            index = futures[future]
            outcomes[index] = _outcome(items[index], future)
            future.release()
    return [o for o in outcomes if o is not None]


def _outcome(item: Item, future: Any) -> BatchOutcome:
    try:
        result: TaskResult = future.result()
    except Exception as error:  # the cluster's: a worker lost RETRIES + 1 times, say
        return failed(item, 0.0, f"the Dask task failed: {type(error).__name__}: {error}",
                      EXIT_UNAVAILABLE)
    if not result.ok:
        return failed(item, result.seconds, result.message, result.exit_code)
    try:
        paths = publish_outputs(item.output_dir, result.files)
    except ReportgenError as error:
        return failed(item, result.seconds, error.format_message(), error.exit_code)
    return BatchOutcome(item.project, True, tuple(str(p) for p in paths), result.seconds,
                        result.message, 0, item.label)


def publish_outputs(output_dir: Path, files: tuple[tuple[str, bytes], ...]) -> list[Path]:
    """A task's outputs into its folder, together, under the folder's lock: the PDF, then
    the manifest, as a local build gives them."""
    targets = {output_dir / name: content for name, content in files}
    with output_lock(output_dir):
        publish_set(targets)
    return list(targets)


@contextlib.contextmanager
def _client(scheduler: str, verbose: bool) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if not verbose:  # the cluster's own log lines (workers starting, closing) are not ours
        for name in ("distributed", "tornado", "asyncio"):
            logging.getLogger(name).setLevel(logging.ERROR)
    local = _LOCAL.fullmatch(scheduler)
    if local:  # a build lays pages out in a child process: see _children_allowed
        try:
            cluster = LocalCluster(n_workers=int(local[1]), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
        except (OSError, RuntimeError, TimeoutError) as error:  # a worker that did not start
            raise SchedulerUnavailable(f"cannot start a local Dask cluster of {local[1]} "
                                       f"workers: {_reason(error)}; nothing was written"
                                       ) from None
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
    except (OSError, TimeoutError) as error:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler {scheduler}: "
                                   f"{_reason(error)}; nothing was written") from None
    with client:
        yield client


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def bundle_for(item: Item) -> Bundle:
    """What a worker needs of the client's files: a folder project's every file (and its
    `data` folder's), or, for an area, the national project's report.toml, Markdown,
    templates, styles and assets (its figures travel in the item itself)."""
    if isinstance(item, AreaItem):
        root = item.root.resolve()
        files = [p for p in input_files(root) if p.name not in TABLE_FILES]
        return Bundle(_read(files, root.parent), root.name)
    project = item.project.resolve()
    folders = [project, *_data_folder(project, item.base_config)]
    top = Path(os.path.commonpath(folders)) if len(folders) > 1 else project.parent
    files = [p for folder in folders for p in _files(folder)]
    base = None
    contents = _read(files, top)
    if item.base_config is not None:
        base = f"{BASE_CONFIG}/{item.base_config.name}"
        contents += ((base, item.base_config.read_bytes()),)
    return Bundle(contents, project.relative_to(top).as_posix(), base)


def _data_folder(project: Path, base_config: Path | None) -> list[Path]:
    from reportgen.config.report import read_config
    from reportgen.problems import Problems

    raw = read_config(project, Problems(), base_config) or {}
    data = raw.get("data")
    folder = (project / data).resolve() if isinstance(data, str) and data else None
    return [folder] if folder is not None and folder.is_dir() and folder != project else []


def _files(folder: Path) -> list[Path]:
    """A folder's files, but hidden ones (a cache, a preview, a lock)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(folder).parts))


def _read(files: list[Path], top: Path) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.relative_to(top).as_posix(), p.read_bytes())
                 for p in dict.fromkeys(files))


def remote_build(task: Task) -> TaskResult:
    """On a worker: the inputs written to a private folder, the build run there with one
    process, the outputs read back. Every failure becomes a result, as in a local batch."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reportgen-task-") as folder, \
            _epoch(task.source_date_epoch), _children_allowed():
        top, output = Path(folder) / "in", Path(folder) / "out"
        _unpack(task.bundle, top)
        item = _relocated(task, top, output)
        try:
            result = build_item(item)
        except ReportgenError as error:
            return TaskResult(False, (), time.perf_counter() - start, error.format_message(),
                              error.exit_code)
        except Exception:
            return TaskResult(False, (), time.perf_counter() - start,
                              traceback.format_exc(limit=-3), 1)
        files = tuple((o.path.relative_to(output).as_posix(), o.content)
                      for o in result.published)
        return TaskResult(True, files, time.perf_counter() - start,
                          f"{result.pages} pages", 0, result.pages)


def _unpack(bundle: Bundle, top: Path) -> None:
    for name, content in bundle.files:
        path = (top / name).resolve()
        if not path.is_relative_to(top.resolve()):  # a bundle is ours, but never trust paths
            raise ValueError(f"a bundle's file {name!r} is outside its folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (top / bundle.project).mkdir(parents=True, exist_ok=True)


def _relocated(task: Task, top: Path, output: Path) -> Item:
    item, project = task.item, top / task.bundle.project
    if isinstance(item, AreaItem):
        return replace(item, root=project, output_dir=output)
    base = top / task.bundle.base_config if task.bundle.base_config else None
    assert isinstance(item, BatchItem)
    return replace(item, project=project, output_dir=output, base_config=base)


@contextlib.contextmanager
def _epoch(value: str | None) -> Iterator[None]:
    """The client's SOURCE_DATE_EPOCH (or none) while the task builds."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    _set_epoch(value)
    try:
        yield
    finally:
        _set_epoch(previous)


def _set_epoch(value: str | None) -> None:
    if value is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = value


@contextlib.contextmanager
def _children_allowed() -> Iterator[None]:
    """A Dask worker may be a daemonic process, which multiprocessing forbids children; the
    build's layout child dies with it anyway (workers.py), so the flag is lifted meanwhile."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemon is not None:
            config["daemon"] = daemon
