"""The plugin protocol for third-party compile backends.

A package registers a backend in the entry-point group ``zlig.backends``; the entry point
names an object (or a class, which zlig instantiates with no arguments) with:

- ``name: str``: what users select it by (``-C backend=NAME`` or ``[tool.zlig] backend``);
- ``priority: int``: the built-in backends have 20 (``ninja``), 10 (``zig``) and 0 (``cc``);
  the usable backend with the highest positive priority is the default, and one with 0 or
  less is used only when named;
- ``version(env: Environment) -> str | None``: the tool's version, or ``None`` when the
  backend cannot be used on this machine;
- ``write(env: BuildEnv, build_inputs: BuildGraph) -> None``: writes the backend's build
  file into ``env.work_dir`` (called only when the inputs changed since the last build);
- ``build(env: BuildEnv, build_inputs: BuildGraph, only: list[str] | None) -> None``: runs
  the build, leaving each extension at ``env.out_dir / extension.output``; ``only`` names the
  extensions to build when zlig retries optional ones one at a time. Raise an exception
  (its message is shown to the user) when the build fails.

Optional: ``build_file: str`` (default ``build.<name>``) and ``requirements() -> list[str]``,
what a frontend should install from PyPI to make the backend usable.

Every object zlig passes is read-only (frozen dataclasses, tuples).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Protocol, Tuple, runtime_checkable

@dataclass(frozen=True)
class Target:
    """What the build is for."""

    zig_triple: str
    """The target triple, such as ``x86_64-linux-gnu.2.17``."""
    arch: str
    """The architecture in wheel-tag spelling: ``x86_64``, ``aarch64``."""
    native: bool
    """Whether this is the machine's own platform (not a cross build)."""
    python_tag: str
    abi_tag: str
    ext_suffix: str
    """The suffix of extension files: ``.cpython-311-x86_64-linux-gnu.so``."""
    include_dir: Path
    """The folder holding ``Python.h``."""


@dataclass(frozen=True)
class Extension:
    """One extension module, fully resolved."""

    name: str
    """The dotted module name."""
    leaf: str
    """The last part of the name: the module must export ``PyInit_<leaf>``."""
    output: Path
    """Where the module goes, relative to ``BuildEnv.out_dir``."""
    language: str
    """``C``, ``Cxx`` or ``Zig``."""
    sources: Tuple[Path, ...]
    """Source files, relative to ``BuildGraph.root``."""
    include_dirs: Tuple[Path, ...]
    compile_flags: Tuple[str, ...]
    """Every flag the sources need: CPython's base flags, macros, undefs, extra arguments."""
    link: Tuple[Tuple[str, str], ...]
    """Link inputs in order: (``LibraryDir``, path), (``Library``, name), (``RPath``, path)
    or (``File``, path)."""
    depends: Tuple[Path, ...]
    optional: bool


@dataclass(frozen=True)
class BuildGraph:
    """The build inputs: every extension, with globs expanded and flags resolved."""

    root: Path
    """The project root; sources are relative to it."""
    target: Target
    optimize: str
    """``Debug``, ``ReleaseSafe``, ``ReleaseFast`` or ``ReleaseSmall``."""
    strip: bool
    """Whether to strip debug info from the modules."""
    extensions: Tuple[Extension, ...]


@dataclass(frozen=True)
class Interpreter:
    """The Python the build is for."""

    implementation: str
    """``sys.implementation.name``, such as ``cpython``."""
    version: Tuple[int, int]
    ext_suffix: str
    include_dir: Path
    machine: str
    """``platform.machine()``."""


@dataclass(frozen=True)
class Environment:
    """The project and interpreter, as ``version()`` sees them."""

    project_dir: Path
    interpreter: Interpreter


@dataclass(frozen=True)
class BuildEnv:
    """Where and how to build."""

    project_dir: Path
    target: Target
    work_dir: Path
    """The backend's own folder in the build dir: build file, caches."""
    out_dir: Path
    """Where built modules land, at their ``Extension.output`` paths."""
    jobs: int
    verbose: bool


@runtime_checkable
class Backend(Protocol):
    """What a third-party backend provides."""

    name: str
    priority: int

    def version(self, env: Environment) -> Optional[str]: ...

    def write(self, env: BuildEnv, build_inputs: BuildGraph) -> None: ...

    def build(self, env: BuildEnv, build_inputs: BuildGraph, only: Optional[List[str]]) -> None: ...


def _target(data: Dict[str, Any]) -> Target:
    return Target(
        zig_triple=data["zig_triple"],
        arch=data["arch"],
        native=data["native"],
        python_tag=data["python_tag"],
        abi_tag=data["abi_tag"],
        ext_suffix=data["ext_suffix"],
        include_dir=Path(data["include_dir"]),
    )


def _link(item: Dict[str, Any]) -> Tuple[str, str]:
    ((kind, value),) = item.items()
    return kind, str(value)


def _graph(data: Dict[str, Any]) -> BuildGraph:
    return BuildGraph(
        root=Path(data["root"]),
        target=_target(data["target"]),
        optimize=data["optimize"],
        strip=data["strip"],
        extensions=tuple(
            Extension(
                name=ext["name"],
                leaf=ext["leaf"],
                output=Path(ext["output"]),
                language=ext["language"],
                sources=tuple(Path(s) for s in ext["sources"]),
                include_dirs=tuple(Path(d) for d in ext["include_dirs"]),
                compile_flags=tuple(ext["compile_flags"]),
                link=tuple(_link(item) for item in ext["link"]),
                depends=tuple(Path(d) for d in ext["depends"]),
                optional=ext["optional"],
            )
            for ext in data["extensions"]
        ),
    )


def decode(kind: str, text: str) -> Any:
    """Builds the read-only objects handed to plugins from the core's JSON."""
    data = json.loads(text)
    if kind == "graph":
        return _graph(data)
    if kind == "environment":
        facts = data["interpreter"]
        return Environment(
            project_dir=Path(data["project_dir"]),
            interpreter=Interpreter(
                implementation=facts["implementation"],
                version=tuple(facts["version"]),
                ext_suffix=facts["ext_suffix"],
                include_dir=Path(facts["include_dir"]),
                machine=facts["machine"],
            ),
        )
    return BuildEnv(
        project_dir=Path(data["project_dir"]),
        target=_target(data["target"]),
        work_dir=Path(data["work_dir"]),
        out_dir=Path(data["out_dir"]),
        jobs=data["jobs"],
        verbose=data["verbose"],
    )
