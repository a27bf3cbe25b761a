"""[source]: the tables from SQLite and PostgreSQL give the same pack as the CSV files, and bad
SQL or an unreachable database gives a clear error and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.load.sql import cell_text
from tests.conftest import SAMPLE

EPOCH = "1700000000"
PDF = "improvement-plan-report-2023-06.pdf"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def sqlite_project(folder: Path, source: str = "") -> Path:
    """The sample project with its tables in kpi.sqlite (made by `reportgen import`)."""
    folder.mkdir()
    # report.toml and the files its introduction and table page name (not KPI tables)
    for name in ("report.toml", "introduction.md", "placements.csv"):
        shutil.copy(SAMPLE / name, folder)
    result = run("import", str(SAMPLE), "--to", str(folder / "kpi.sqlite"))
    assert result.exit_code == 0, result.output
    with (folder / "report.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[source]\nurl = "sqlite:///kpi.sqlite"\n{source}')
    return folder


def build(project: Path, out: Path):
    return run("build", str(project), "-o", str(out))


@pytest.fixture(scope="module")
def csv_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The sample pack built from its CSV files."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        out = tmp_path_factory.mktemp("csv")
        assert build(SAMPLE, out).exit_code == 0
    return (out / PDF).read_bytes()


# --- SQLite ----------------------------------------------------------------------------------

def test_import_writes_typed_columns(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    with sqlite3.connect(project / "kpi.sqlite") as db:
        types = {row[1]: row[2] for row in db.execute('PRAGMA table_info("values")')}
        first = db.execute('SELECT measure_id, period, value FROM "values" LIMIT 1').fetchone()
        symbol = db.execute('SELECT value FROM "values" WHERE typeof(value) = \'text\'').fetchone()
    db.close()
    assert types == {"measure_id": "TEXT", "period": "TEXT", "value": "REAL", "rag": "TEXT",
                     "rag_note": "TEXT"}
    assert first == ("cin_number", "2022-06", 700.0)
    assert symbol == ("c",)  # a symbol stays as the author wrote it


def test_import_never_writes_over_a_file(tmp_path: Path) -> None:
    target = tmp_path / "kpi.sqlite"
    target.write_bytes(b"precious")
    result = run("import", str(SAMPLE), "--to", str(target))
    assert result.exit_code == 73
    assert f"Error: {target} already exists; 'reportgen import' never writes over a file" \
        in result.output
    assert target.read_bytes() == b"precious"


def test_import_of_a_project_with_errors_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(SAMPLE, project)
    values = project / "values.csv"
    values.write_text(values.read_text().replace("cin_number,2022-06,700", "cin_number,2022-06,"
                                                 "seven hundred"))
    result = run("import", str(project), "--to", str(tmp_path / "kpi.sqlite"))
    assert result.exit_code == 65
    assert "values.csv, row 2, column 'value': error: 'seven hundred' is not a number" \
        in result.output
    assert not (tmp_path / "kpi.sqlite").exists()


def test_csv_and_sqlite_give_the_same_pdf(tmp_path: Path, csv_pdf: bytes,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = sqlite_project(tmp_path / "p")
    shutil.copy(SAMPLE / "values.csv", project)  # left beside: not read
    result = build(project, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert ("report.toml: warning: values.csv not read: [source] names a database, which "
            "holds the tables") in result.output
    assert (tmp_path / "out" / PDF).read_bytes() == csv_pdf
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "values.csv" not in manifest["inputs"]
    assert sorted(k for k in manifest["inputs"] if k.startswith("query")) == [
        "query 'commentary'", "query 'comparators'", "query 'measures'",
        "query 'priorities'", "query 'targets'", "query 'values'"]


def test_database_values_read_as_an_author_types_them() -> None:
    assert cell_text(dt.date(2023, 6, 1), "period") == "2023-06"
    assert cell_text(dt.datetime(2023, 9, 30, 23, 59), "due") == "2023-09"
    assert cell_text(dt.date(2023, 6, 1), "note") == "2023-06-01"
    assert cell_text(Decimal("800.0000"), "target") == "800"
    assert cell_text(Decimal("0.00001"), "value") == "0.00001"
    assert cell_text(89.30000000000001, "value") == "89.3"
    assert cell_text(1e-05, "value") == "0.00001"
    assert cell_text(float("nan"), "value") == "nan"  # then "'nan' is not a number"
    assert cell_text(None, "value") == ""
    assert cell_text(" cin\x07 ", "id") == "cin"


def test_a_select_in_place_of_a_table(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p", 'values = """\n  -- only April\'s; a ; in a '
                             'comment is no second statement\n  SELECT * FROM "values"\n  '
                             'WHERE period <= \'2023-04\';\n"""\n')
    result = run("summary", str(project), "--period", "2023-04")
    assert result.exit_code == 0, result.output


def failed(project: Path, tmp_path: Path, code: int = 65) -> str:
    """The build's output, after checking it failed with code and wrote nothing."""
    result = build(project, tmp_path / "out")
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    return result.output


def test_a_syntax_error(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p", 'values = "SELECT measure_id, FROM x"\n')
    assert ("query 'values': error: the database refused the query: near \"FROM\": syntax "
            "error") in failed(project, tmp_path)


def test_a_missing_column(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p",
                             'values = "SELECT measure_id, period, valu FROM \\"values\\""\n')
    assert "query 'values': error: the database refused the query: no such column: valu" \
        in failed(project, tmp_path)


def test_a_table_that_does_not_exist(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p", 'measures = "kpi_measures"\n')
    assert ("query 'measures': error: the database refused the query: no such table: "
            "kpi_measures") in failed(project, tmp_path)


def test_text_where_a_number_is_expected(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    with sqlite3.connect(project / "kpi.sqlite") as db:
        db.execute('UPDATE "values" SET value = \'twelve\' WHERE rowid = 12')
    db.close()
    output = failed(project, tmp_path)
    assert ("query 'values', row 12 (measure_id=cin_number, period=2023-05), column 'value': "
            "error: 'twelve' is not a number; expected e.g. 1,234 or 90%") in output


# The sample's values rows (the header not counted): the database keeps every one.
SAMPLE_VALUES = len((SAMPLE / "values.csv").read_text().splitlines()) - 1


def test_only_a_select_is_run(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p", 'values = "DELETE FROM \\"values\\""\n'
                             'targets = "SELECT 1; DROP TABLE targets"\n')
    output = failed(project, tmp_path)
    assert ("query 'values': error: expected a table or view name, or one SELECT (or WITH … "
            "SELECT) statement; this starts with 'DELETE', and only reading is allowed") in output
    assert "query 'targets': error: expected one SELECT statement; this has more than one" \
           in output
    with sqlite3.connect(project / "kpi.sqlite") as db:
        assert db.execute('SELECT count(*) FROM "values"').fetchone() == (SAMPLE_VALUES,)
    db.close()


def test_a_writing_with_statement_is_refused_by_the_read_only_transaction(tmp_path: Path
                                                                          ) -> None:
    project = sqlite_project(tmp_path / "p", 'values = "WITH x AS (SELECT 1) DELETE FROM '
                             '\\"values\\""\n')
    assert ("query 'values': error: the database refused the query: attempt to write a "
            "readonly database") in failed(project, tmp_path)
    with sqlite3.connect(project / "kpi.sqlite") as db:
        assert db.execute('SELECT count(*) FROM "values"').fetchone() == (SAMPLE_VALUES,)
    db.close()


def test_a_query_that_runs_too_long(tmp_path: Path) -> None:
    forever = ('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) '
               'SELECT * FROM \\"values\\" WHERE (SELECT max(i) FROM n) > 0')
    project = sqlite_project(tmp_path / "p", f'values = "{forever}"\ntimeout_seconds = 0.5\n')
    assert ("query 'values': error: the query took longer than 0.5 seconds ([source] "
            "timeout_seconds) and was stopped") in failed(project, tmp_path)


def test_a_missing_sqlite_file_is_not_made(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    (project / "kpi.sqlite").unlink()
    assert "report.toml: error: 'source.url': no SQLite file 'kpi.sqlite' in" \
        in failed(project, tmp_path)
    assert not (project / "kpi.sqlite").exists()


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    (project / "kpi.sqlite").write_text("id,title\n")
    assert ("report.toml: error: 'source.url': the SQLite file "
            f"{(project / 'kpi.sqlite').resolve()} cannot be read: file is not a database") \
        in failed(project, tmp_path)


def test_a_password_in_report_toml_is_refused_and_never_shown(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    config = project / "report.toml"
    config.write_text(config.read_text().replace("sqlite:///kpi.sqlite",
                                                 "postgresql://reports:hunter2@db/kpi"))
    output = failed(project, tmp_path)
    assert "'source.url' is wrong: a password does not belong in report.toml" in output
    assert "hunter2" not in output


def test_an_unset_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTGEN_TEST_DB", raising=False)
    project = sqlite_project(tmp_path / "p")
    config = project / "report.toml"
    config.write_text(config.read_text().replace("sqlite:///kpi.sqlite", "env:REPORTGEN_TEST_DB"))
    assert "the environment variable REPORTGEN_TEST_DB ('source.url') is not set" \
        in failed(project, tmp_path)


# --- PostgreSQL ------------------------------------------------------------------------------

def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server of our own in a temporary folder, on a Unix socket only, run as an
    unprivileged user; its URL (database 'postgres', user 'reportgen')."""
    bindir = _postgres_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed; under CI this test must run: make db-deps")
        pytest.skip("PostgreSQL is not installed (/usr/lib/postgresql/*/bin); make db-deps")
    base = Path(tempfile.mkdtemp(prefix="reportgen-pg-"))
    data, socket = base / "data", base / "socket"
    socket.mkdir()
    as_user: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "nobody", "--"]
        for path in (base, socket):
            shutil.chown(path, "nobody")
    server = ["-D", str(data)]
    subprocess.run([*as_user, str(bindir / "initdb"), *server, "-U", "reportgen",
                    "--auth=trust", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = f"-c listen_addresses='' -c unix_socket_directories='{socket}' -c fsync=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), *server, "-o", options, "-w",
                    "-l", str(base / "log"), "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://reportgen@/postgres?host={socket}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), *server, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def copy_to_postgres(sqlite_file: Path, url: str) -> None:
    """Every table of the SQLite file into PostgreSQL: REAL columns as double precision, but
    as text where they hold a symbol (PostgreSQL, unlike SQLite, keeps a column to its type)."""
    import psycopg

    source = sqlite3.connect(sqlite_file)
    with psycopg.connect(url) as db:
        for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "ORDER BY rowid"):
            columns = [(c[1], c[2]) for c in source.execute(f'PRAGMA table_info("{name}")')]
            declared = ", ".join(f'"{c}" {_pg_type(source, name, c, kind)}' for c, kind in columns)
            db.execute(f'CREATE TABLE "{name}" ({declared})')
            rows = source.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            marks = ", ".join("%s" for _ in columns)
            with db.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
    source.close()


def _pg_type(source: sqlite3.Connection, table: str, column: str, kind: str) -> str:
    text = source.execute(f'SELECT count(*) FROM "{table}" WHERE typeof("{column}") = '
                          f"'text'").fetchone()[0]
    return "double precision" if kind == "REAL" and not text else "text"


def pg_project(folder: Path, url: str, monkeypatch: pytest.MonkeyPatch, source: str = ""
               ) -> Path:
    """The sample project reading PostgreSQL, its URL in an environment variable."""
    project = sqlite_project(folder, source)
    config = project / "report.toml"
    config.write_text(config.read_text().replace("sqlite:///kpi.sqlite", "env:REPORTGEN_DB_URL"))
    monkeypatch.setenv("REPORTGEN_DB_URL", url)
    return project


@pytest.fixture(scope="module")
def loaded_postgres(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("pg-load") / "p"
    copy_to_postgres(sqlite_project(folder) / "kpi.sqlite", postgres)
    return postgres


def test_csv_sqlite_and_postgresql_give_the_same_pdf(tmp_path: Path, csv_pdf: bytes,
                                                     loaded_postgres: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    # The password is ignored by the test server (trust), but must appear nowhere.
    url = loaded_postgres.replace("reportgen@", "reportgen:hunter2@")
    # Months as dates and figures as NUMERIC, as a council's warehouse may hold them.
    typed = ("SELECT measure_id, to_date(due || '-01', 'YYYY-MM-DD') AS due, "
             "target::numeric(12, 4) AS target FROM targets")
    project = pg_project(tmp_path / "p", url, monkeypatch, f'targets = "{typed}"\n')
    result = build(project, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / PDF).read_bytes() == csv_pdf
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert "hunter2" not in manifest + result.output and "postgresql" not in manifest
    sqlite_out = tmp_path / "sqlite-out"
    assert build(sqlite_project(tmp_path / "s"), sqlite_out).exit_code == 0
    sqlite_manifest = json.loads((sqlite_out / "manifest.json").read_text())
    assert {k: v for k, v in json.loads(manifest)["inputs"].items() if k.startswith("query")} \
        == {k: v for k, v in sqlite_manifest["inputs"].items() if k.startswith("query")}


def test_postgresql_errors_name_the_query(tmp_path: Path, loaded_postgres: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = pg_project(tmp_path / "p", loaded_postgres, monkeypatch,
                         'values = "SELECT measure_id, period, valu FROM \\"values\\""\n'
                         'targets = "SELEC 1"\nmeasures = "kpi_measures"\n')
    output = failed(project, tmp_path)
    assert ("query 'values': error: the database refused the query: column \"valu\" does not "
            "exist") in output
    assert "query 'targets': error: expected a table or view name, or one SELECT" in output
    assert ("query 'measures': error: the database refused the query: relation "
            "\"kpi_measures\" does not exist") in output


def test_postgresql_statement_timeout(tmp_path: Path, loaded_postgres: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    slow = 'SELECT v.* FROM \\"values\\" v CROSS JOIN (SELECT pg_sleep(5)) s'
    project = pg_project(tmp_path / "p", loaded_postgres, monkeypatch,
                         f'values = "{slow}"\ntimeout_seconds = 0.5\n')
    assert "query 'values': error: the query took longer than 0.5 seconds" \
        in failed(project, tmp_path)


def test_a_database_that_cannot_be_reached(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "no-server"
    nowhere.mkdir()
    project = pg_project(tmp_path / "p", f"postgresql://reportgen:hunter2@/kpi?host={nowhere}",
                         monkeypatch)
    output = failed(project, tmp_path, code=69)
    assert output.startswith("Error: cannot reach the database postgresql+psycopg://"
                             "reportgen:***@/kpi")
    assert "hunter2" not in output


def test_commentary_forms_from_a_database_but_answers_merged_there(tmp_path: Path) -> None:
    project = sqlite_project(tmp_path / "p")
    forms = tmp_path / "forms"
    result = run("commentary-forms", str(project), "-o", str(forms))
    assert result.exit_code == 0, result.output
    result = run("commentary-collect", str(forms), "--project", str(project))
    assert result.exit_code == 65
    assert ("report.toml: error: the tables come from the database [source] names; merge the "
            "forms' answers into its commentary table there") in result.output
    assert sorted(p.name for p in project.iterdir()) == [  # no commentary.csv written
        "introduction.md", "kpi.sqlite", "placements.csv", "report.toml"]
