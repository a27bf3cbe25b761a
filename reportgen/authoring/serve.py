"""A report project → a live preview on 127.0.0.1: the HTML edition rebuilt on every save in
this warm process (its caches in the preview folder), then the PDF in the background.

Three threads: the HTTP server, a watcher (watchfiles) and one builder, so builds never overlap
(they share the preview folder and its lock). Nothing a build raises stops the server: input
problems are shown as validate prints them, a bug's traceback likewise.
"""

from __future__ import annotations

import threading
import tomllib
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reportgen.authoring.preview_page import PreviewState, preview_page
from reportgen.builds import BuildOptions, BuildResult
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput, ReportgenError
from reportgen.extensions import extension_for
from reportgen.log import LOGGER
from reportgen.problems import listed

PREVIEW_FOLDER = ".reportgen-preview"
HOST = "127.0.0.1"  # never another interface: the preview shows unpublished figures
PDF_DELAY = 1.0  # s after the HTML: an author saving again soon does not wait for a PDF
# The preview lays a pack out in shorter runs of measure pages than `build` (24): an edit then
# lays out again at most this many pages and their part's title page, for a first build ~12 %
# slower (benchmarks/README.md). Its cache is its own folder's, so `build`'s is not disturbed.
PREVIEW_PART_PAGES = 3


class Preview:
    """`reportgen serve`: start(), then stop() (or use it as a context manager)."""

    def __init__(self, project: Path, output_dir: Path | None = None, port: int = 0,
                 period: str | None = None) -> None:
        self.project = project
        self.output_dir = output_dir or project / PREVIEW_FOLDER
        self.period = period
        self.state = PreviewState(project.name, paper=extension_for(project) is not None)
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((HOST, port), _handler_for(self))
        self._server.daemon_threads = True
        self._threads = [threading.Thread(target=self._server.serve_forever, name="serve-http"),
                         threading.Thread(target=self._watch, name="serve-watch"),
                         threading.Thread(target=self._build_on_change, name="serve-build")]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}/"

    def start(self) -> Preview:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._changed.set()  # the first build
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Ends the threads: a build under way is finished first."""
        self._stopping.set()
        self._changed.set()
        self._server.shutdown()
        for thread in self._threads:
            thread.join()
        self._server.server_close()

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> tuple[bytes, bytes]:
        """The page and /status, as they are now."""
        with self._lock:
            return preview_page(self.state), self.state.status()

    def pdf(self, name: str) -> bytes | None:
        with self._lock:
            return self.state.pdfs.get(name)

    # The watcher: each batch of saves (watchfiles groups them) asks for one build.

    def _watch(self) -> None:
        import watchfiles

        ignored = watchfiles.DefaultFilter(ignore_paths=[str(self.output_dir.resolve())])
        try:
            for _ in watchfiles.watch(*watched_folders(self.project), watch_filter=ignored,
                                      stop_event=self._stopping, debounce=400, step=30):
                self._changed.set()
        except Exception:  # noqa: BLE001  (a folder removed under us: say so, keep serving)
            LOGGER.error("serve: watching stopped:\n%s", traceback.format_exc())

    # The builder: the HTML edition at once, the PDF when no save follows within PDF_DELAY.

    def _build_on_change(self) -> None:
        while True:
            self._changed.wait()
            if self._stopping.is_set():
                return
            self._changed.clear()
            if not self.state.paper and not self._build_html():
                continue
            if self.state.paper or not self._changed.wait(PDF_DELAY):
                if self._stopping.is_set():
                    return
                self._build_pdf()

    def _build_html(self) -> bool:
        """True when it built; either way the page shows the outcome."""
        self._set(building="HTML edition")
        result, problems = self._run("html")
        with self._lock:
            self.state.building = ""
            self.state.version += 1
            self.state.problems, self.state.failed = problems, result is None
            self.state.pdfs, self.state.pdf_problems = {}, []
            if result is not None:
                self.state.html = result.published[0].content
        return result is not None

    def _build_pdf(self) -> None:
        """The PDF of the build on screen; a paper's last good PDF stays linked when it fails."""
        self._set(building="PDF")
        result, problems = self._run("pdf")
        with self._lock:
            self.state.building = ""
            self.state.version += 1
            self.state.pdf_problems = problems if result is None else []
            if result is not None:
                self.state.pdfs = {o.path.name: o.content for o in result.published
                                   if o.role.startswith("pdf")}
            if self.state.paper:
                self.state.problems = [] if result is None else problems

    def _run(self, output_format: str) -> tuple[BuildResult | None, list[str]]:
        """The build, or None and what went wrong as lines: never raises."""
        from reportgen.pipeline import build

        options = BuildOptions(self.project, self.output_dir, self.period,
                               output_format=output_format, part_pages=PREVIEW_PART_PAGES)
        try:
            result = build(options)
        except InvalidInput as error:
            return None, listed(error.problems)
        except ReportgenError as error:
            return None, [error.format_message()]
        except Exception:  # noqa: BLE001  (a bug: shown in the page, the server goes on)
            LOGGER.error("serve: the build failed:\n%s", traceback.format_exc())
            return None, ["reportgen failed (a bug; please report it):",
                          *traceback.format_exc().splitlines()]
        LOGGER.info("serve: %s built in %.2f s", output_format, sum(result.timings.values()))
        return result, listed(result.warnings)

    def _set(self, building: str) -> None:
        with self._lock:
            self.state.building = building


def watched_folders(project: Path) -> list[Path]:
    """The project, and the `data` folder its report.toml names (a paper's tables)."""
    folders = [project.resolve()]
    try:
        data = tomllib.loads((project / CONFIG_FILE).read_text(encoding="utf-8")).get("data")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return folders  # the build says what is wrong with it
    if isinstance(data, str) and (project / data).is_dir():
        folders.append((project / data).resolve())
    return folders


def _handler_for(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            path = unquote(urlsplit(self.path).path)
            page, status = preview.snapshot()
            if path in ("/", "/index.html"):
                self._send(page, "text/html; charset=utf-8")
            elif path == "/status":
                self._send(status, "application/json")
            elif path.startswith("/pdf/") and (pdf := preview.pdf(path[5:])) is not None:
                self._send(pdf, "application/pdf")
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            LOGGER.debug("serve: " + format, *args)

    return Handler
