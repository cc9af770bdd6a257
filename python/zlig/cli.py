"""The ``zlig`` command: build, develop and clean with the same code as the hooks.

    zlig build [PATH] [--sdist] [--wheel] [-o DIR] [-C KEY=VALUE]... [-v]
    zlig develop [PATH] [--inplace] [--editable] [-C KEY=VALUE]... [-v]
    zlig clean [PATH]
    zlig cache [--clear]
    zlig --version

Errors are one message on stderr and exit status 1; bad arguments exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Callable, TypeVar

from zlig import _core
from zlig._bridge import BuildError, request

T = TypeVar("T")


def _config_settings(pairs: list[str], verbose: bool) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"zlig: error: -C takes KEY=VALUE, not {pair!r}")
        settings.setdefault(key, []).append(value)
    if verbose:
        settings["verbose"] = ["true"]
    return settings


def _in(path: str, action: Callable[[], T]) -> T:
    """Runs ``action`` with ``path`` as the working directory, as frontends run hooks."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        return action()
    finally:
        os.chdir(previous)


def _build(args: argparse.Namespace) -> int:
    settings = _config_settings(args.config_setting, args.verbose)
    out = os.path.abspath(args.outdir or os.path.join(args.path, "dist"))
    kinds = [kind for kind, wanted in (("sdist", args.sdist), ("wheel", args.wheel)) if wanted]
    for kind in kinds or ["sdist", "wheel"]:
        if kind == "sdist":
            name = _in(args.path, lambda: _core.build_sdist(request(settings), out))
        else:
            name = _in(args.path, lambda: _core.build_wheel(request(settings), out, None))
        print(os.path.join(out, name))
    return 0


def _develop(args: argparse.Namespace) -> int:
    settings = _config_settings(args.config_setting, args.verbose)
    if args.inplace:
        for path in _in(args.path, lambda: _core.build_inplace(request(settings))):
            print(path)
    if args.editable or not args.inplace:
        command = [sys.executable, "-m", "pip", "install", "--no-build-isolation", "-e", args.path]
        for key, values in settings.items():
            command += [f"--config-settings={key}={value}" for value in values]
        if args.verbose:
            print("zlig: running " + " ".join(command), file=sys.stderr)
        return subprocess.call(command)
    return 0


def _clean(args: argparse.Namespace) -> int:
    removed = _in(args.path, lambda: _core.clean(request({})))
    for folder in removed:
        print(f"removed {folder}")
    if not removed:
        print("nothing to clean")
    return 0


def _cache(args: argparse.Namespace) -> int:
    entries = _core.cache(args.clear)
    for path, what, size in entries:
        print(f"{size / 1e6:10.1f} MB  {what:40}  {path}")
    total = sum(size for _, _, size in entries) / 1e6
    verb = "removed" if args.clear else "kept"
    print(f"{total:10.1f} MB  {verb} in all" if entries else "zlig keeps nothing in the user cache")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    main = argparse.ArgumentParser(prog="zlig", description="Build Python packages with C, C++ and Zig extensions.")
    main.add_argument("--version", action="version", version=f"zlig {_core.__version__}")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project (default: .)")
        sub.set_defaults(run=run)
        return sub

    def settings(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "-C", "--config-setting", action="append", default=[], metavar="KEY=VALUE",
            help="a config setting, as with pip -C (repeatable)",
        )
        sub.add_argument("-v", "--verbose", action="store_true", help="print the commands run")

    build = command("build", "build a wheel and an sdist (or only the ones asked for)", _build)
    build.add_argument("--sdist", action="store_true", help="build the sdist")
    build.add_argument("--wheel", action="store_true", help="build the wheel")
    build.add_argument("-o", "--outdir", metavar="DIR", help="output folder (default: PATH/dist)")
    settings(build)

    develop = command("develop", "build in place and/or install editable into this environment", _develop)
    develop.add_argument("--inplace", action="store_true", help="put built modules next to their sources")
    develop.add_argument("--editable", action="store_true", help="pip install -e (the default without --inplace)")
    settings(develop)

    command("clean", "remove the build dirs zlig made", _clean)

    cache = commands.add_parser(
        "cache",
        help="show what zlig keeps in the user cache (tools, their answers), or clear it",
        description="Show what zlig keeps in the user cache (~/.cache/zlig): copies of the tools it ran, "
        "zig's compiled configure step, tool version answers; --clear removes them (nothing while a "
        "build is using them). zig's own cache "
        "(~/.cache/zig) is zig's, and is left alone.",
    )
    cache.add_argument("--clear", action="store_true", help="remove everything zlig keeps there")
    cache.set_defaults(run=_cache, path=".")
    return main


def main(argv: list[str] | None = None) -> int:
    """Runs the command; returns the exit status."""
    args = parser().parse_args(argv)
    args.path = os.path.abspath(args.path)
    try:
        return args.run(args)
    except BuildError as error:
        print(f"zlig: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
