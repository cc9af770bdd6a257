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

Every object zlig passes is read-only (frozen dataclasses, tuples). They are decoded from
the build graph's JSON, the one schema the core writes for every backend (ARCHITECTURE.md,
"The build graph"); fields the JSON has and a class does not are ignored, so a newer core
can add fields.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Optional, Protocol, runtime_checkable


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


class LinkInput(NamedTuple):
    """One input of the link step, in order; unpacks as ``(kind, value)``."""

    kind: str
    """``LibraryDir`` (a path), ``Library`` (a name), ``RPath`` (a path, ``$ORIGIN``
    allowed), ``File`` (the path of an object, archive or shared library) or
    ``LinkerOption`` (an option of zig's linker as ``-Wl,`` takes it: ``-z,relro``,
    ``-z,norelro``, ``-z,now``, ``-z,lazy``, ``--gc-sections``, ``--build-id[=STYLE]``,
    ``--enable-new-dtags``, ``--disable-new-dtags``; since schema 3)."""
    value: str


@dataclass(frozen=True)
class CythonStep:
    """A Cython translation that zlig ran before handing the graph to the backend."""

    source: Path
    """The ``.pyx`` (or pure-Python mode ``.py``), relative to ``BuildGraph.root``."""
    output: Path
    """The C (or C++) it made, relative to ``BuildEnv.work_dir``; it is in ``sources``."""
    args: tuple[str, ...]
    """Cython's options (``--module-name``, ``--cplus``, ``-I``, ``-X``)."""


@dataclass(frozen=True)
class CythonTool:
    """The Cython that translated the extensions' Cython sources."""

    python: Path
    package: Path
    """The folder holding the ``Cython`` package."""
    version: str


@dataclass(frozen=True)
class Extension:
    """One extension module, fully resolved."""

    name: str
    """The dotted module name."""
    leaf: str
    """The last part of the name."""
    output: Path
    """Where the module goes, relative to ``BuildEnv.out_dir``."""
    language: str
    """``C``, ``Cxx`` or ``Zig``."""
    sources: tuple[Path, ...]
    """C, C++ and Zig source files, relative to ``BuildGraph.root``; and the C or C++ that
    Cython made of the extension's Cython source, by absolute path in ``BuildEnv.work_dir``
    (an absolute path joined to ``root`` stays itself)."""
    cython: tuple[CythonStep, ...]
    """The Cython translations whose output is in ``sources`` (none, or one)."""
    include_dirs: tuple[Path, ...]
    compile_flags: tuple[str, ...]
    """Every flag the sources need: CPython's base flags, macros, undefs, extra arguments,
    then ``-ffile-prefix-map`` flags that name the project, Python's headers and other
    absolute include folders by relative names in the module (``__FILE__``, DWARF)."""
    link: tuple[LinkInput, ...]
    exports: tuple[str, ...]
    """The symbols the module exports, others hidden: ``PyInit_<leaf>`` and
    ``PyModExport_<leaf>`` (PEP 793; a module defines at least one of them), then the
    project's ``export-symbols``; ``*`` means every global symbol."""
    depends: tuple[Path, ...]
    limited_api: Optional[tuple[int, int]]
    """The limited API version (``Py_LIMITED_API``) the module is built for, if any."""
    optional: bool


@dataclass(frozen=True)
class BuildGraph:
    """The build inputs: every extension, with globs expanded and flags resolved."""

    schema: int
    """The graph's schema version."""
    root: Path
    """The project root; sources are relative to it."""
    target: Target
    optimize: str
    """``Debug``, ``ReleaseSafe``, ``ReleaseFast`` or ``ReleaseSmall``."""
    strip: bool
    """Whether to strip debug info from the modules."""
    cython: Optional[CythonTool]
    """The Cython that translated the Cython sources, when there are any."""
    extensions: tuple[Extension, ...]


@dataclass(frozen=True)
class Interpreter:
    """The Python the build is for."""

    implementation: str
    """``sys.implementation.name``, such as ``cpython``."""
    version: tuple[int, int]
    ext_suffix: str
    soabi: Optional[str]
    include_dir: Path
    machine: str
    """``platform.machine()``."""
    platform: str
    gil_disabled: bool


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

    def build(self, env: BuildEnv, build_inputs: BuildGraph, only: Optional[list[str]]) -> None: ...


def _decode(kind: Any, data: Any) -> Any:
    """``data`` (parsed JSON) as the type ``kind``, following its type hints."""
    origin = typing.get_origin(kind)
    if origin is typing.Union:  # Optional[X]
        inner = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        return None if data is None else _decode(inner, data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(arg, item) for arg, item in zip(args, data))
    if dataclasses.is_dataclass(kind) or hasattr(kind, "_fields"):
        hints = typing.get_type_hints(kind)
        names = [f.name for f in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else kind._fields
        return kind(**{name: _decode(hints[name], data[name]) for name in names})
    if kind is Path:
        return Path(data)
    return data


def decode(kind: str, text: str) -> Any:
    """The read-only object of class ``kind`` (``BuildGraph``, ``BuildEnv`` or
    ``Environment``) from the core's JSON."""
    return _decode({"BuildGraph": BuildGraph, "BuildEnv": BuildEnv, "Environment": Environment}[kind], json.loads(text))
