"""The import hook of a zlig editable install.

zlig writes this file into every editable wheel, followed by a ``start`` function that calls
``install`` with the project's configuration, which runs at every interpreter start: named
by a ``.start`` file (PEP 829) from Python 3.15 on, called by the ``.pth`` file's ``import``
line before. It needs nothing but the standard library: it runs the build
tool's own command (recorded at install time, with tools kept in the user's cache), so it
keeps working after the environment that built the install is gone.

On the first import of one of the project's extension modules in a process, the hook runs
that command (zig or ninja check what changed; a no-op costs a few tens of milliseconds)
under the build dir's lock, so that processes importing at once take turns, then loads the
module from the build dir. It runs the command only if its program is still a file that no
other user could have put there. A compile error is raised as ImportError with the
compiler's message. ``ZLIG_EDITABLE_REBUILD=0`` turns rebuilding off for a run; installing
with ``-C editable-rebuild=false`` turns it off for good. A change to ``pyproject.toml``
needs a new ``pip install -e``.
"""

import os
import sys

REBUILD_ENV = "ZLIG_EDITABLE_REBUILD"


class ExtensionFinder:
    """Finds one editable project's extension modules, rebuilding them first (a meta path
    finder). It is put in place at every interpreter start of the environment: the
    configuration is read, and what a rebuild needs imported, only when one of
    the project's modules is imported."""

    def __init__(self, config_json, names):
        self.config_json = config_json
        self.names = names
        self.modules = None
        self.rebuilt = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names:
            return None
        if self.modules is None:
            self._read_config()
        built = self.modules[fullname]
        wanted = os.environ.get(REBUILD_ENV, "1").lower() not in ("0", "false", "no", "off")
        if self.rebuild and wanted and not self.rebuilt:
            self._rebuild(fullname)
        if not os.path.isfile(built):
            raise ImportError(
                f"{fullname}: the extension module of the editable install of {self.project} "
                f"is missing ({built}); reinstall it with `pip install -e {self.project_dir}`",
                name=fullname,
            )
        import importlib.machinery

        loader = importlib.machinery.ExtensionFileLoader(fullname, built)
        spec = importlib.machinery.ModuleSpec(fullname, loader, origin=built)
        spec.has_location = True
        return spec

    def _read_config(self):
        import json

        config = json.loads(self.config_json)
        self.project = config["project"]
        self.project_dir = config["project_dir"]
        self.rebuild = config["rebuild"]
        self.modules = config["modules"]

    def _rebuild(self, fullname):
        import fcntl
        import subprocess

        self.rebuilt = True
        command = self.rebuild
        unsafe = why_unsafe(command["argv"][0])
        if unsafe:
            raise ImportError(
                f"{fullname}: not rebuilding the editable install of {self.project}: {unsafe}; "
                f"reinstall it with `pip install -e {self.project_dir}`, or set {REBUILD_ENV}=0 "
                "to use the last build",
                name=fullname,
            )
        env = dict(os.environ)
        for name in command["env_remove"]:
            env.pop(name, None)
        env.update(command["env_set"])
        # zlig's Cython step looks for installed packages' .pxd files (cimport numpy) where
        # this interpreter finds its packages: the build environment is gone.
        env["ZLIG_CYTHON_PATH"] = os.pathsep.join(p for p in sys.path if os.path.isabs(p))
        try:
            with open(command["lock"], "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                done = subprocess.run(
                    command["argv"],
                    cwd=command["cwd"],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
        except OSError as error:
            raise ImportError(
                f"{fullname}: cannot rebuild the editable install of {self.project}: {error}; "
                f"reinstall it with `pip install -e {self.project_dir}`, or set {REBUILD_ENV}=0 "
                "to use the last build",
                name=fullname,
            ) from None
        if done.returncode != 0:
            raise ImportError(
                f"{fullname}: rebuilding the editable install of {self.project} failed:\n"
                f"{done.stdout.rstrip()}",
                name=fullname,
            )


def why_unsafe(tool):
    """Why running ``tool`` may run someone else's program: it or a folder above it is
    missing, owned by another user, or writable by any user. None when it is safe."""
    import stat

    path = os.path.abspath(tool)
    while True:
        try:
            info = os.stat(path)
        except OSError:
            return f"{tool} is missing"
        if info.st_uid not in (os.getuid(), 0):
            return f"{path} belongs to another user"
        if info.st_mode & stat.S_IWOTH:
            return f"any user may write {path}"
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def install(config_json, names):
    """Puts the finder for one editable project, whose extension modules are ``names``,
    first on ``sys.meta_path``."""
    for finder in sys.meta_path:
        if getattr(finder, "config_json", None) == config_json:
            return
    sys.meta_path.insert(0, ExtensionFinder(config_json, frozenset(names)))
