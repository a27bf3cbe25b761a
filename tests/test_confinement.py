"""Only the project's own files reach the output: configuration cannot name a file outside it,
and no image decodes to more pixels than print needs, whatever its name or how it is embedded."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from reportgen.cli import cli

SECRET = "TOP-SECRET-PAYROLL-8731"


def _theme(project: Path, toml: str) -> None:
    folder = project / "styles" / "default"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.toml").write_text(toml, encoding="utf-8")


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("logo", ["{secret}", "../../../secret.txt", "../../../logo.png"])
def test_a_logo_outside_the_theme_folder_is_refused_by_validate_and_build(
        sample_copy: Path, tmp_path: Path, logo: str) -> None:
    secret = sample_copy.parent / "secret.txt"
    secret.write_text(SECRET)
    (sample_copy.parent / "logo.png").write_bytes(_png(40, 20))
    logo = logo.format(secret=secret)
    _theme(sample_copy, f'[logo]\nfile = "{logo}"\nalt = "Council"\n')
    out = tmp_path / "out"
    for result in (_run("validate", str(sample_copy)),
                   _run("build", str(sample_copy), "-o", str(out), "--format", "all")):
        assert result.exit_code == 65, result.output
        assert "styles/default/theme.toml: error: 'logo.file'" in result.output
        assert SECRET not in result.output
        assert base64.b64encode(SECRET.encode()).decode()[:12] not in result.output
    assert not out.exists() or not any(out.glob("*.html"))


def test_a_logo_linked_to_an_outside_file_is_refused(sample_copy: Path) -> None:
    secret = sample_copy.parent / "secret.png"
    secret.write_bytes(_png(40, 20))
    (sample_copy / "styles" / "default").mkdir(parents=True)
    (sample_copy / "styles" / "default" / "logo.png").symlink_to(secret)
    _theme(sample_copy, '[logo]\nfile = "logo.png"\nalt = "Council"\n')
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 65
    assert "expected a file inside the theme folder" in result.output


def test_a_logo_that_is_not_an_image_is_refused_without_showing_it(sample_copy: Path) -> None:
    _theme(sample_copy, '[logo]\nfile = "logo.png"\nalt = "Council"\n')
    (sample_copy / "styles" / "default" / "logo.png").write_text(SECRET)
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 65
    assert "'logo.file' is 'logo.png': the file is not an image that can be read" in result.output
    assert SECRET not in result.output


def test_a_logo_of_too_many_pixels_is_refused(sample_copy: Path) -> None:
    _theme(sample_copy, '[logo]\nfile = "logo.png"\nalt = "Council"\n')
    (sample_copy / "styles" / "default" / "logo.png").write_bytes(_png(12_000, 12_000))
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 65
    assert "the image is 12000×12000 pixels, over the limit of 25,000,000" in result.output


@pytest.mark.parametrize("reference", ["data", "bg.dat"])
def test_an_image_of_too_many_pixels_in_project_css_is_refused(
        sample_copy: Path, tmp_path: Path, reference: str) -> None:
    png = _png(6_000, 6_000)
    if reference == "data":
        url = "data:image/png;base64," + base64.b64encode(png).decode()
    else:
        (sample_copy / "assets").mkdir()
        (sample_copy / "assets" / "bg.dat").write_bytes(png)
        url = "assets/bg.dat"  # the stylesheet is inlined: relative to the project
    (sample_copy / "styles" / "default").mkdir(parents=True)
    (sample_copy / "styles" / "default" / "pack.css").write_text(
        f'.title-page {{ background-image: url("{url}"); }}\n')
    result = _run("build", str(sample_copy), "-o", str(tmp_path / "out"))
    assert result.exit_code == 65, result.output
    assert "the image is 6000×6000 pixels, over the limit of 25,000,000" in result.output
    assert len(result.output) < 2_000  # the data URI is named and cut, never printed whole


def test_a_small_logo_inside_the_theme_is_embedded(sample_copy: Path, tmp_path: Path) -> None:
    _theme(sample_copy, '[logo]\nfile = "logo.png"\nalt = "Council crest"\n')
    (sample_copy / "styles" / "default" / "logo.png").write_bytes(_png(60, 30))
    result = _run("build", str(sample_copy), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "out" / "improvement-plan-report-2023-06.pdf") as pdf:
        sizes = {(int(image.Width), int(image.Height)) for page in pdf.pages[:1]
                 for image in page.get_images().values()}
    assert (60, 30) in sizes


def test_an_unknown_key_in_theme_toml_is_a_warning(sample_copy: Path) -> None:
    _theme(sample_copy, '[colours]\naccnt = "#123456"\n[font]\nfamly = "DejaVu Serif"\n')
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 0, result.output
    assert ("styles/default/theme.toml: warning: unknown key 'colours.accnt' is ignored; "
            "did you mean 'colours.accent'?") in result.output
    assert "unknown key 'font.famly' is ignored; did you mean 'font.family'?" in result.output


@pytest.mark.parametrize("name", ["", ".{slug}", "{slug.upper}", "{slug:>300}", "{0}",
                                  "{slug}/{period}", "{slug}<x>", "{slug!r}"])
def test_output_name_is_a_safe_file_name_from_slug_and_period(sample_copy: Path,
                                                              name: str) -> None:
    config = sample_copy / "report.toml"
    config.write_text(f"output_name = {name!r}\n" + config.read_text())
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 65, result.output
    assert "report.toml: error: 'output_name' is" in result.output
    assert "using only {slug} and {period}" in result.output


@pytest.mark.parametrize("name", [".reportgen.lock", ".reportgen.lock.json"])
def test_a_lock_file_linked_outside_is_refused_and_its_target_untouched(
        tmp_path: Path, name: str) -> None:
    from tests.conftest import NELC

    target = tmp_path / "elsewhere.txt"
    target.write_text(SECRET)
    out = tmp_path / "out"
    out.mkdir()
    (out / name).symlink_to(target)
    result = _run("build", str(NELC), "-o", str(out))
    assert result.exit_code == 73, result.output
    assert f"{out / name} is a symbolic link" in result.output
    assert target.read_text() == SECRET


def test_validate_refuses_the_resources_build_would(sample_copy: Path, tmp_path: Path) -> None:
    """The fetches a project's stylesheets and templates will make are checked by validate,
    without layout: outside files, the network, @import of a system file, huge images."""
    (sample_copy / "assets").mkdir()
    (sample_copy / "assets" / "bg.dat").write_bytes(_png(6_000, 6_000))
    (sample_copy / "styles" / "default").mkdir(parents=True)
    (sample_copy / "styles" / "default" / "pack.css").write_text(
        '@import "/etc/hosts";\n'
        '.title-page { background: url(file:///etc/passwd); }\n'
        '.notice { background-image: url("https://example.org/x.png"); }\n'
        '.key { background-image: url(assets/bg.dat); }\n')
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 65, result.output
    outside = "the file is outside the report's template and style folders"
    for reason in (f"file:///etc/hosts: {outside}", f"file:///etc/passwd: {outside}",
                   "https://example.org/x.png: only the report's own files may be used",
                   "bg.dat: the image is 6000×6000 pixels, over the limit of 25,000,000"):
        assert reason in result.output, reason
    assert result.output.count("a resource would be refused") == 4
    assert "root:" not in result.output  # named, never read out
    built = _run("build", str(sample_copy), "-o", str(tmp_path / "out"))
    assert built.exit_code == 65


def test_validate_passes_a_project_stylesheet_that_uses_its_own_assets(
        sample_copy: Path) -> None:
    (sample_copy / "assets").mkdir()
    (sample_copy / "assets" / "crest.png").write_bytes(_png(80, 40))
    (sample_copy / "styles" / "default").mkdir(parents=True)
    (sample_copy / "styles" / "default" / "pack.css").write_text(
        '.title-page { background: url("assets/crest.png") no-repeat; }\n')
    result = _run("validate", str(sample_copy))
    assert result.exit_code == 0, result.output
