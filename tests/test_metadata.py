"""Core metadata: prepare_metadata_for_build_wheel agrees with the wheel, and build_wheel
refuses a metadata dir the project no longer matches; examples/pure's METADATA is valid Core
Metadata 2.4 field by field; unusual but valid values (commas, quotes, unicode, query
strings, a multi-line license) parse back from METADATA as they were written; and every
example's pyproject.toml is valid."""

from __future__ import annotations

import configparser
import email.utils
import itertools
import sys
from pathlib import Path

import pytest
from packaging.metadata import Metadata
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from helpers import EXAMPLES, dist_info, error_message, expected, run, scrubbed, wheel_names, wheel_read, wheel_text

PREPARE = "import sys, zlig; print(zlig.prepare_metadata_for_build_wheel(sys.argv[1]))"


@pytest.mark.parametrize(
    ("example", "fixture"),
    [("demo", "demo_build"), ("multi", "multi_build"), ("pure", "pure_uv_build"), ("flitcompat", "seed_build")],
)
def test_prepared_metadata_equals_the_wheels(request, example, fixture, copy_example, zlig_venv, frontend_env, tmp_path):
    wheel = request.getfixturevalue(fixture).wheel
    out = tmp_path / "metadata"
    out.mkdir()
    name = zlig_venv.run(PREPARE, str(out), cwd=copy_example(example), env=frontend_env)
    name = name.splitlines()[-1]
    assert name == dist_info(wheel)
    prepared = {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }
    # zlig's SBOM describes the built modules, which metadata written before the build
    # cannot know (like WHEEL's tag); METADATA is what must agree (PEP 517).
    built_only = (f"{name}/WHEEL", f"{name}/RECORD", f"{name}/sboms/zlig.cdx.json")
    in_wheel = {
        n: wheel_read(wheel, n)
        for n in wheel_names(wheel)
        if n.startswith(f"{name}/") and n not in built_only
    }
    assert prepared == in_wheel


def test_build_wheel_refuses_a_metadata_dir_the_project_no_longer_matches(zlig_venv, frontend_env, tmp_path):
    project = tmp_path / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "src" / "pkg" / "__init__.py").write_text("")
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "pkg"\nversion = "1.0"\n')
    prepared = tmp_path / "metadata"
    prepared.mkdir()
    name = zlig_venv.run(PREPARE, str(prepared), cwd=project, env=frontend_env).splitlines()[-1]

    pyproject.write_text('[project]\nname = "pkg"\nversion = "1.1"\n')
    out = tmp_path / "out"
    out.mkdir()
    build = "import sys, zlig; print(zlig.build_wheel(sys.argv[1], {}, sys.argv[2]))"
    proc = zlig_venv.call(build, str(out), str(prepared / name), cwd=project, env=frontend_env)
    assert proc.returncode == 1, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected("""
        zlig: error: the metadata directory [TMP]/metadata/pkg-1.0.dist-info does not match the project any more (`Version` changed since prepare_metadata_for_build_wheel); run the build again
    """)
    assert "Traceback" not in proc.stdout
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------------- pure


@pytest.fixture(scope="module")
def pure_metadata(pure_uv_build) -> Metadata:
    return Metadata.from_email(wheel_text(pure_uv_build.wheel, "METADATA"), validate=True)


def test_pure_metadata_is_core_metadata_2_4(pure_metadata):
    assert pure_metadata.metadata_version == "2.4"
    assert pure_metadata.name == "pure-example"
    # Everything was resolved when the wheel was built: nothing is left dynamic.
    assert pure_metadata.dynamic is None


def test_pure_version_comes_from_dunder_version(pure_metadata):
    assert str(pure_metadata.version) == "2.1.0"


def test_pure_summary_is_the_docstrings_first_line(pure_metadata):
    assert pure_metadata.summary == "A pure-Python package that zlig packages without compiling anything."


def test_pure_license_expression_and_files(pure_metadata, pure_uv_build):
    assert pure_metadata.license_expression == "MIT"
    assert pure_metadata.license is None
    assert pure_metadata.license_files == ["LICENSE", "notices/vendored.txt"]
    info = dist_info(pure_uv_build.wheel)
    for path in pure_metadata.license_files:
        assert wheel_read(pure_uv_build.wheel, f"{info}/licenses/{path}") == (EXAMPLES / "pure" / path).read_bytes()


def test_pure_readme_is_the_description(pure_metadata):
    assert pure_metadata.description_content_type == "text/markdown"
    assert pure_metadata.description == (EXAMPLES / "pure" / "README.md").read_text(encoding="utf-8")


def test_pure_requires_python(pure_metadata):
    assert pure_metadata.requires_python == SpecifierSet(">=3.9")


def test_pure_people(pure_metadata):
    assert pure_metadata.author == "Ann Author"
    assert pure_metadata.author_email == "bot@example.org, Bo Both <bo@example.org>"
    assert pure_metadata.maintainer == "Mo Maintainer"
    assert pure_metadata.maintainer_email == "Mae Maintainer <mae@example.org>"


def test_pure_keywords_classifiers_and_urls(pure_metadata):
    assert pure_metadata.keywords == ["zlig", "example", "metadata"]
    assert pure_metadata.classifiers == [
        "Development Status :: 4 - Beta",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Typing :: Typed",
    ]
    assert pure_metadata.project_urls == {
        "Homepage": "https://example.org/pure-example",
        "Documentation": "https://example.org/pure-example/docs",
        "Issue Tracker": "https://example.org/pure-example/issues",
    }


EXTRAS = ("", "cli", "test", "dev-tools", "docs")


def marker_truth(requirement: Requirement) -> list[bool]:
    """The requirement's marker evaluated over a grid of environments: two markers that
    mean the same (`python_version < '3.11'`, `python_full_version < '3.11'`) agree."""
    if requirement.marker is None:
        return []
    grid = itertools.product(("3.9", "3.10", "3.11", "3.12"), ("Linux", "Windows"), EXTRAS)
    return [
        requirement.marker.evaluate(
            {"python_version": v, "python_full_version": f"{v}.0", "platform_system": s, "extra": e}
        )
        for v, s, e in grid
    ]


def same_requirements(actual: list[Requirement], expected: list[str]) -> None:
    wanted = [Requirement(r) for r in expected]
    key = lambda r: (r.name, sorted(r.extras), str(r.specifier), marker_truth(r))
    assert sorted(map(key, actual)) == sorted(map(key, wanted)), [str(r) for r in actual]


def test_pure_dependencies_keep_their_markers(pure_metadata):
    plain = [r for r in pure_metadata.requires_dist if "extra" not in str(r.marker or "")]
    same_requirements(plain, ["packaging>=24", "tomli>=2; python_version < '3.11'"])


def test_pure_optional_dependencies_get_extra_markers(pure_metadata):
    assert pure_metadata.provides_extra == ["cli", "test"]
    extras = [r for r in pure_metadata.requires_dist if "extra" in str(r.marker or "")]
    same_requirements(
        extras,
        [
            "rich>=13; extra == 'cli'",
            "pytest>=8; extra == 'test'",
            "coverage[toml]>=7; platform_system != 'Windows' and extra == 'test'",
        ],
    )


def test_pure_entry_points_txt(pure_uv_build):
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # names are case-sensitive
    parser.read_string(wheel_text(pure_uv_build.wheel, "entry_points.txt"))
    groups = {section: dict(parser[section]) for section in parser.sections()}
    assert groups == {
        "console_scripts": {"pure-example": "pure_example.cli:main"},
        "gui_scripts": {"pure-example-gui": "pure_example.gui:main"},
        "pure_example.plugins": {"hello": "pure_example.plugins:hello"},
    }


# ---------------------------------------------------------------------------- unusual values

LICENSE_TEXT = """Permission is granted, provided that:
  1. this notice is kept, word for word;

  2. nothing else: "quotes" and all."""

README_TEXT = "# Odd metadata\n\nÜnïcödé prose, with *emphasis*.\n"

ODD_PYPROJECT = f'''\
[build-system]
requires = ["zlig"]
build-backend = "zlig"

[project]
name = "odd-metadata"
version = "1.0.post1"
description = "Ünïcödé summary: with “quotes”, commas, and colons"
readme = {{text = """{README_TEXT}""", content-type = "text/markdown"}}
requires-python = ">=3.9,!=3.10.*"
license = {{text = """{LICENSE_TEXT}"""}}
authors = [
    {{name = "Doe, Jane \\"JD\\""}},
    {{name = "Roe, Rick \\"R\\"", email = "rick@example.org"}},
    {{name = "Zoë Ångström", email = "zoe@example.org"}},
    {{email = "team@example.org"}},
]
maintainers = [
    {{name = "Łukasz Ωmega"}},
    {{name = "Ōno, Aiko", email = "aiko@example.org"}},
]
keywords = ["fast path", "ünïcode", "c-ext"]
classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]
dependencies = ["attrs>=23; python_version >= '3.10'", "idna[all]~=3.4"]

[project.optional-dependencies]
dev-tools = ["pytest>=8", "tomli; python_version < '3.11' and platform_system != 'Windows'"]
docs = ["sphinx"]

[project.urls]
Homepage = "https://example.org/odd?ref=pypi&lang=en"
"Source Code" = "https://example.org/src?tab=files#readme"
'''

# A multi-line header value goes on continuation lines that start with whitespace (here 7
# spaces, the core metadata spec's indent for multi-line fields), which an email parser
# keeps: unfolding takes them off again.
FOLD = " " * 7


def unfold(value: str) -> str:
    first, *rest = value.split("\n")
    assert all(line.startswith(FOLD) for line in rest), value
    return "\n".join([first, *(line[len(FOLD):] for line in rest)])


@pytest.fixture(scope="module")
def odd_wheel(frontend, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("odd")
    project = tmp / "odd"
    (project / "src" / "odd_metadata").mkdir(parents=True)
    (project / "src" / "odd_metadata" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(ODD_PYPROJECT, encoding="utf-8")
    return frontend.pip_wheel(project, tmp / "out").wheel


def test_unusual_metadata_parses_back_from_the_wheel_as_written(odd_wheel):
    meta = Metadata.from_email(wheel_text(odd_wheel, "METADATA"), validate=True)
    assert meta.name == "odd-metadata"
    assert str(meta.version) == "1.0.post1"
    assert meta.summary == "Ünïcödé summary: with “quotes”, commas, and colons"
    assert meta.description == README_TEXT
    assert meta.description_content_type == "text/markdown"
    assert meta.requires_python == SpecifierSet(">=3.9,!=3.10.*")
    assert unfold(meta.license) == LICENSE_TEXT
    # People with a name only are listed in Author (one here, so that it parses back
    # whole); those with an email in Author-email, as RFC 5322 addresses.
    assert meta.author == 'Doe, Jane "JD"'
    assert email.utils.getaddresses([meta.author_email]) == [
        ('Roe, Rick "R"', "rick@example.org"),
        ("Zoë Ångström", "zoe@example.org"),
        ("", "team@example.org"),
    ]
    assert meta.maintainer == "Łukasz Ωmega"
    assert email.utils.getaddresses([meta.maintainer_email]) == [("Ōno, Aiko", "aiko@example.org")]
    assert meta.keywords == ["fast path", "ünïcode", "c-ext"]
    assert meta.classifiers == ["Programming Language :: Python :: 3", "Typing :: Typed"]
    assert meta.project_urls == {
        "Homepage": "https://example.org/odd?ref=pypi&lang=en",
        "Source Code": "https://example.org/src?tab=files#readme",
    }
    assert meta.provides_extra == ["dev-tools", "docs"]
    same_requirements(
        meta.requires_dist,
        [
            "attrs>=23; python_version >= '3.10'",
            "idna[all]~=3.4",
            "pytest>=8; extra == 'dev-tools'",
            "tomli; python_version < '3.11' and platform_system != 'Windows' and extra == 'dev-tools'",
            "sphinx; extra == 'docs'",
        ],
    )


def test_unusual_metadata_passes_twine_check(odd_wheel):
    proc = run([sys.executable, "-m", "twine", "check", "--strict", odd_wheel], check=False)
    assert proc.returncode == 0, proc.stdout
    assert "PASSED" in proc.stdout, proc.stdout


# ---------------------------------------------------------------------------- pyproject


@pytest.mark.parametrize(
    "pyproject",
    sorted(EXAMPLES.glob("*/pyproject.toml")),
    ids=lambda p: p.parent.name,
)
def test_validate_pyproject_passes(pyproject: Path):
    run([sys.executable, "-m", "validate_pyproject", pyproject])
