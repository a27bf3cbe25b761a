"""National tables: one pack per local authority, compared with England, its region and its
statistical neighbours' mean from the same table; DfE's published layout; every problem named."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from tests.conftest import pdf_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NATIONAL = FIXTURES / "national"
DFE = FIXTURES / "national-dfe"


@pytest.fixture
def national(tmp_path: Path) -> Path:
    target = tmp_path / "national"
    shutil.copytree(NATIONAL, target)
    return target


@pytest.fixture
def dfe(tmp_path: Path) -> Path:
    target = tmp_path / "dfe"
    shutil.copytree(DFE, target)
    return target


def run(*args: str):
    return CliRunner().invoke(cli, ["-q", *args])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _alt_texts(pdf_path: Path) -> list[str]:
    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            yield node
            kids = node.get("/K")
            if kids is not None:
                yield from walk(kids)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                yield from walk(kid)

    with pikepdf.open(pdf_path) as pdf:
        return [str(e.get("/Alt")) for e in walk(pdf.Root.StructTreeRoot)
                if e.get("/S") == "/Figure"]


def _expected_comparators(project: Path, code: str, measure: str, period: str
                          ) -> tuple[float, float, float]:
    """England's, the region's and the neighbours' mean, worked out from the CSV files."""
    values = {(r["area"], r["measure_id"], r["period"]): r["value"]
              for r in _rows(project / "values.csv")}
    region = next(r["region"] for r in _rows(project / "areas.csv") if r["code"] == code)
    neighbours = [r["neighbour"] for r in _rows(project / "neighbours.csv") if r["area"] == code]
    figures = [float(values[(n, measure, period)]) for n in neighbours
               if values[(n, measure, period)] not in ("c", "")]
    return (float(values[("E92000001", measure, period)]),
            float(values[(region, measure, period)]), sum(figures) / len(figures))


def test_every_area_gets_its_pack_with_england_region_and_neighbours(national: Path,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "packs"
    first_neighbour = _rows(national / "neighbours.csv")[0]["neighbour"]

    def suppress(rows):  # a suppressed neighbour is left out of the mean, never counted as 0
        for row in rows:
            if (row["area"], row["measure_id"], row["period"]) == (first_neighbour, "m001",
                                                                   "2022-08"):
                row["value"] = "c"
        return rows

    _edit(national / "values.csv", suppress)
    result = run("batch", str(national), "--areas", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    areas = [r for r in _rows(national / "areas.csv") if r["level"] == "Local authority"]
    assert sorted(p.name for p in out.iterdir()) == sorted(a["code"] for a in areas)
    for area in areas:
        assert f"{area['code']} {area['name']}" in result.output
    first = areas[0]
    slug = first["name"].lower().replace(" ", "-")
    pdf = out / first["code"] / f"{slug}-children-s-services-performance-2022-08.pdf"
    text = pdf_text(pdf)
    assert first["name"] in text[0] and "Children's Services Performance" in text[0]
    # m001 is a rate: its chart is compared; m000 is a count: it is not (see COMPARABLE)
    england, region, mean = _expected_comparators(national, first["code"], "m001", "2022-08")
    region_name = next(r["name"] for r in _rows(national / "areas.csv")
                       if r["code"] == first["region"])
    alts = _alt_texts(pdf)
    rate_alt = next(a for a in alts if "Synthetic measure 1" in a)
    # a rate is shown as a whole number, as the pack shows every rate
    assert (f"Comparators: England {round(england)}, {region_name} {round(region)}, "
            f"Statistical neighbours' average {round(mean)}") in rate_alt
    count_alt = next(a for a in alts if "Synthetic measure 0" in a)
    assert "Comparators" not in count_alt
    manifest = json.loads((out / first["code"] / "manifest.json").read_text())
    assert set(manifest["inputs"]) == {"areas.csv", "measures.csv", "neighbours.csv",
                                       "priorities.csv", "report.toml", "targets.csv",
                                       "values.csv"}


def test_areas_are_named_by_code_or_name(national: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    result = run("batch", str(national), "--areas", "e07000001, Synthetic Borough 1",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["E06000000", "E07000001"]


@pytest.mark.parametrize(("areas", "message"), [
    ("E0700001", ("--areas: error: 'E0700001' is not an area's code or name; did you mean "
                 "'E07000001'?")),
    ("North East", ("--areas: error: 'North East' is regional; packs are built for local "
                   "authorities, and compared with it")),
])
def test_an_unknown_area_is_named_and_nothing_is_built(national: Path, tmp_path: Path,
                                                       areas: str, message: str) -> None:
    out = tmp_path / "packs"
    result = run("batch", str(national), "--areas", areas, "-o", str(out))
    assert result.exit_code == 65
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()


def _edit(path: Path, edit) -> None:
    rows = _rows(path)
    header = list(rows[0])
    rows = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, header)
        writer.writeheader()
        writer.writerows(rows)


def test_problems_of_the_national_tables_are_named_by_file_row_and_column(
        national: Path, tmp_path: Path) -> None:
    def neighbours(rows):
        rows[1]["neighbour"] = "E09999999"
        rows[2]["neighbour"] = rows[2]["area"]
        rows[3]["area"] = "E12000001"
        return rows

    def values(rows):
        rows[20]["area"] = "E0800002"
        rows[21]["area"] = ""
        rows[22]["value"] = "twelve"
        return rows

    _edit(national / "neighbours.csv", neighbours)
    _edit(national / "values.csv", values)
    def areas(rows):
        rows[-1]["region"] = "E1200004"
        return rows

    _edit(national / "areas.csv", areas)
    expected = [
        ("areas.csv, row 15, column 'region': error: region 'E1200004' is not the code of an "
        "area of level Regional; did you mean 'E12000004'?"),
        ("neighbours.csv, row 3, column 'neighbour': error: 'E09999999' is not an area in the "
        "areas table"),
        ("neighbours.csv, row 4, column 'neighbour': error: 'E06000000' is given as its own "
        "neighbour"),
        ("neighbours.csv, row 5, column 'area': error: 'E12000001' is a regional area, not a "
        "local authority"),
        ("values.csv, row 22, column 'area': error: area 'E0800002' is not a code in the areas "
        "table; did you mean 'E08000002'?"),
        "values.csv, row 23, column 'area': error: area is blank; expected an area's code",
        "values.csv, row 24, column 'value': error: 'twelve' is not a number",
    ]
    validated = run("validate", str(national))
    built = run("batch", str(national), "--areas", "all", "-o", str(tmp_path / "packs"))
    for result in (validated, built):
        assert result.exit_code == 65, result.output
        assert "Traceback" not in result.output
        for line in expected:
            assert line in result.output, result.output
    assert not (tmp_path / "packs").exists()


def test_an_area_without_figures_is_an_error(national: Path, tmp_path: Path) -> None:
    _edit(national / "values.csv", lambda rows: [r for r in rows if r["area"] != "E07000001"])
    result = run("batch", str(national), "--areas", "all", "-o", str(tmp_path / "packs"))
    assert result.exit_code == 65
    assert ("values.csv: error: area E07000001 (Synthetic Borough 2) has no rows; give its "
            "figures, or leave it out of --areas") in result.output


def test_a_national_project_is_built_by_batch_with_areas(national: Path, tmp_path: Path
                                                        ) -> None:
    built = run("build", str(national), "-o", str(tmp_path / "out"))
    assert built.exit_code == 65
    assert ("[national] makes one pack per area: build them with 'reportgen batch PROJECT "
            "--areas all'") in built.output
    without = run("batch", str(national), "-o", str(tmp_path / "out"))
    assert without.exit_code == 2
    assert "is a national project: name the areas to build with --areas all" in without.output
    assert not (tmp_path / "out").exists()


def test_dfe_layout_builds_packs_and_suppressed_values_are_no_figure(dfe: Path, tmp_path: Path
                                                                    ) -> None:
    out = tmp_path / "packs"
    result = run("batch", str(dfe), "--areas", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["E08000011", "E08000012", "E08000016"]
    summary = json.loads((out / "E08000012" / "manifest.json").read_text())
    assert summary["period"] == "2023-03" and "cla_la.csv" in summary["inputs"]
    liverpool = pdf_text(out / "E08000012" / "liverpool-children-in-care-2023-03.pdf")
    stability = next(page for page in liverpool if "stable placement" in page
                     and "Recent values" in page)
    assert "65% low 66%" in stability  # 2022's figure: DfE's symbol, shown as published
    assert "low – rounds to 0, but is not 0" in liverpool[0]
    alts = _alt_texts(out / "E08000012" / "liverpool-children-in-care-2023-03.pdf")
    # Knowsley, Liverpool's only neighbour here, had 68.0% in 2023; England 72%, North West 70%
    assert any("Comparators: England 72%, North West 70%, Statistical neighbours' average 68%"
               in a for a in alts), alts
    knowsley = pdf_text(out / "E08000011" / "knowsley-children-in-care-2023-03.pdf")
    assert any("31 March c 507 516" in page for page in knowsley)  # 2021: suppressed


def test_dfe_layout_problems_name_the_file_row_and_column(dfe: Path, tmp_path: Path) -> None:
    lines = (dfe / "cla_la.csv").read_text().splitlines()
    lines[4] = lines[4].replace("Reporting year", "Week 5")
    lines[5] = lines[5].replace(",1430,", ",lots,")
    (dfe / "cla_la.csv").write_text("\n".join(lines) + "\n")
    toml = (dfe / "report.toml").read_text().replace('"pct_placement_stable"',
                                                     '"pct_placement_stabel"')
    (dfe / "report.toml").write_text(toml)
    result = run("validate", str(dfe))
    assert result.exit_code == 65
    assert ("report.toml: error: 'national.measures.placement_stability' is "
            "'pct_placement_stabel': cla_la.csv has no such column; did you mean "
            "'pct_placement_stable'?") in result.output
    toml = toml.replace('"pct_placement_stabel"', '"pct_placement_stable"')
    (dfe / "report.toml").write_text(toml)
    result = run("validate", str(dfe))
    assert result.exit_code == 65
    assert ("cla_la.csv, row 5, column 'time_identifier': error: 'Week 5' is not a "
            "time_identifier reportgen can place in a month") in result.output
    assert "cla_la.csv, row 6, column 'cla_number': error: 'lots' is not a number" \
        in result.output
    assert "Traceback" not in result.output


def test_national_values_from_sqlite_give_the_same_pack(national: Path, tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(national / "kpi.sqlite") as connection:
        for name in ("priorities", "measures", "values", "targets"):
            with (national / f"{name}.csv").open(encoding="utf-8") as stream:
                header, *rows = list(csv.reader(stream))
            columns = ", ".join(f'"{c}"' for c in header)
            connection.execute(f'CREATE TABLE "{name}" ({columns})')
            connection.executemany(f'INSERT INTO "{name}" VALUES '
                                   f'({", ".join("?" * len(header))})', rows)
    connection.close()
    from_files = run("batch", str(national), "--areas", "E06000000", "-o",
                     str(tmp_path / "files"))
    for name in ("priorities", "measures", "values", "targets"):
        (national / f"{name}.csv").unlink()
    with (national / "report.toml").open("a", encoding="utf-8") as stream:
        stream.write('\n[source]\nurl = "sqlite:///kpi.sqlite"\n')
    from_database = run("batch", str(national), "--areas", "E06000000", "-o",
                        str(tmp_path / "database"))
    assert from_files.exit_code == 0 and from_database.exit_code == 0, from_database.output
    name = "synthetic-borough-1-children-s-services-performance-2022-08.pdf"
    assert (tmp_path / "files" / "E06000000" / name).read_bytes() == \
        (tmp_path / "database" / "E06000000" / name).read_bytes()
    manifest = json.loads((tmp_path / "database" / "E06000000" / "manifest.json").read_text())
    assert "query 'values'" in manifest["inputs"] and "values.csv" not in manifest["inputs"]


def test_a_national_project_without_its_areas_table_says_so(national: Path) -> None:
    (national / "areas.csv").unlink()
    result = run("validate", str(national))
    assert result.exit_code == 65
    assert (f"areas.csv: error: required table 'areas' is missing: no areas.csv in {national}; "
            f"[national] needs one (code, name, level, region)") in result.output
