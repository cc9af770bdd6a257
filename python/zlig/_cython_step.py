"""zlig's Cython step: translates one Cython source for a build tool (ninja, ``zig build``),
which runs it once per ``.pyx`` (or pure-Python mode ``.py``) source:

    python -I -S _cython_step.py CYTHON ROOT SOURCE --output=OUT --depfile=DEP
        [--depfile-for=zig] [options...]

CYTHON is the folder holding the ``Cython`` package and ``cython.py`` (zlig's lasting copy,
so that an editable install can translate after the frontend's build environment is
gone); ROOT is the project as the build tool names it (a link in its folder); SOURCE and
the options' ``-I`` folders are relative to ROOT. Cython runs in ROOT, so the file names it
writes into the C (for tracebacks) and shows in its messages are the project's own
(``src/pkg/fast.pyx:3:5: ...``), whatever the project's path. OUT and DEP are relative to
the working directory (the backend's folder) or absolute.

The depfile lists what Cython read (the source, ``cimport``ed ``.pxd``, ``include``d
``.pxi`` files) as the build tool sees it: project files through ROOT, others by absolute
path, and OUT as the target. A build tool that finds one of them changed runs the step
again; one that finds all unchanged runs no Cython. It is written in the syntax its reader
takes: Makefile syntax as ninja reads it, or, with ``--depfile-for=zig``, names in double
quotes, which zig's parser reads verbatim (it reads ``\\#`` as two characters). A name
that its depfile cannot hold (a line break; a ``"`` for zig) fails the step, with the name.

``ZLIG_CYTHON_PATH`` (``os.pathsep``-separated folders) is where Cython looks for the
``.pxd`` files of installed packages (``cimport numpy``), as it looks on ``sys.path`` when
run in a build environment: zlig sets it to the hooks' ``sys.path``, an editable install's
import hook to its own interpreter's.

``--directives CYTHON`` prints the names of the compiler directives that Cython knows
(JSON) and exits. ``--batch FILE JOBS`` runs the steps FILE lists (a JSON list of argument
lists, as above), JOBS at a time, for a backend that does not run the steps itself: what a
failed step printed goes to stderr, and the outputs of the failed steps to stdout (JSON).
Standard library only, besides Cython.
"""

import json
import os
import re
import sys


def make_name(path):
    """A path in Makefile syntax as ninja reads it: a blank after a backslash (the
    backslashes before it doubled), ``#`` after one, ``$`` as ``$$``. ninja has no escape
    for ``| ; < > * ^ & ' " ?``: a name holding one reads as missing files, so that the step
    runs at every build (slower, never stale)."""
    escaped = re.sub(r"(\\*) ", lambda m: m.group(1) * 2 + "\\ ", path)
    return escaped.replace("#", "\\#").replace("$", "$$")


def zig_name(path):
    """A path as zig's depfile parser reads it: in double quotes, verbatim."""
    return '"' + path + '"'


def unwritable(path, zig):
    """Why the depfile cannot name ``path``, or None."""
    for char in path:
        if ord(char) < 32 or 127 <= ord(char) < 160 or char in "\u2028\u2029":
            return f"holds a control character such as a line break ({char!r})"
    if zig and '"' in path:
        return "holds a double quote, which zig's depfile syntax cannot escape"
    return None


def read_depfile(path):
    """The prerequisites of Cython's own depfile (``target: \\`` then one per line)."""
    with open(path) as f:
        text = f.read()
    _, _, rest = text.partition(": \\\n")
    names, name, chars = [], [], iter(rest.replace("\\\n", " "))
    for char in chars:
        if char == "\\":
            name.append(next(chars, ""))
        elif char.isspace():
            if name:
                names.append("".join(name))
            name = []
        else:
            name.append(char)
    if name:
        names.append("".join(name))
    return names


def directives(cython):
    sys.path.insert(0, cython)
    from Cython.Compiler import Options

    names = set(Options.directive_types) | set(Options.get_directive_defaults())
    print(json.dumps(sorted(names)))
    return 0


def translate(cython, root, source, rest):
    output = depfile = None
    zig = False
    options = []
    for arg in rest:
        if arg.startswith("--output="):
            output = arg[len("--output="):]
        elif arg.startswith("--depfile="):
            depfile = arg[len("--depfile="):]
        elif arg == "--depfile-for=zig":
            zig = True
        else:
            options.append(arg)
    if output is None or depfile is None:
        print("zlig's Cython step needs --output= and --depfile=", file=sys.stderr)
        return 2
    here = os.getcwd()
    target = os.path.join(here, output)
    dep_path = os.path.join(here, depfile)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    sys.path[:0] = [cython]
    extra = os.environ.get("ZLIG_CYTHON_PATH", "").split(os.pathsep)
    sys.path.extend(p for p in extra if os.path.isabs(p) and p not in sys.path)
    os.chdir(os.path.join(here, root))
    real_root = os.getcwd()
    # Cython's messages go to both streams; one keeps them in order for the build tool.
    sys.stdout = sys.stderr
    sys.argv = ["cython", *options, "-M", "-o", target, source]
    from Cython.Compiler.Main import main

    try:
        main(command_line=1)
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    cython_dep = target + ".dep"
    prerequisites = []
    if status == 0:
        for name in read_depfile(cython_dep):
            found = os.path.normpath(os.path.join(real_root, name))
            if found.startswith(real_root + os.sep):
                found = os.path.join(root, os.path.relpath(found, real_root))
            why = unwritable(found, zig)
            if why:
                print(f"zlig's Cython step: Cython read {found!r}, whose name {why}: "
                      "no depfile can name it, so the build could not tell when it changes; rename it",
                      file=sys.stderr)
                status = 1
                break
            prerequisites.append(zig_name(found) if zig else make_name(found))
    if status != 0:
        # Nothing half-made stays for the build tool to take as up to date.
        for stale in (target, cython_dep, dep_path):
            try:
                os.remove(stale)
            except OSError:
                pass
        return status
    os.remove(cython_dep)
    # zig reads targets only to skip them: the output's name is enough, and its folder (zig's
    # cache, in the build dir) could hold a `:`.
    named = make_name(os.path.basename(output) if zig else output)
    with open(dep_path, "w") as f:
        f.write(named + ": \\\n  " + " \\\n  ".join(prerequisites) + "\n")
    return 0


def batch(path, jobs):
    import subprocess

    with open(path) as f:
        steps = json.load(f)
    pending, running, failed = list(reversed(steps)), [], []
    while pending or running:
        while pending and len(running) < max(1, jobs):
            argv = pending.pop()
            command = [sys.executable, "-I", "-S", os.path.abspath(__file__), *argv]
            running.append((argv, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
        argv, process = running.pop(0)
        output, _ = process.communicate()
        if process.returncode != 0:
            sys.stderr.write(output.decode("utf-8", "replace"))
            failed.extend(a[len("--output="):] for a in argv if a.startswith("--output="))
    print(json.dumps(failed))
    return 0


def main(argv):
    # What Python writes into zlig's kept Cython (bytecode in its __pycache__ folders) is
    # private, whatever the umask, like everything in zlig's cache.
    os.umask(os.umask(0o077) | 0o077)
    if argv[:1] == ["--directives"] and len(argv) == 2:
        return directives(argv[1])
    if argv[:1] == ["--batch"] and len(argv) == 3:
        return batch(argv[1], int(argv[2]))
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    return translate(argv[0], argv[1], argv[2], argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
