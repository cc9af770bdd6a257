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
with ``-C editable-rebuild=false`` turns it off for good; either way the hook warns, once,
when a module's source is newer than the module. A change to ``pyproject.toml`` needs a new
``pip install -e``.

Files that ``force-include`` or a ``purelib``/``platlib`` folder put into one of the
project's packages are installed in site-packages, beside this file, while the package is
imported from the project: the hook adds their folder to the package's ``__path__`` (so
its modules import), to what ``importlib.resources`` reads (Python 3.10 and later; the
legacy ``open_binary``/``read_text`` functions on 3.9 too) and to what the loader's
``get_data`` reads (``pkgutil.get_data``). Where both have a data file of one name, the
one the wheel carries wins, as in a regular install; a module is imported from the
project first, as every module of an editable install is.
"""

import os
import sys

REBUILD_ENV = "ZLIG_EDITABLE_REBUILD"


class ExtensionFinder:
    """Finds one editable project's extension modules, rebuilding them first, and its
    packages that have files installed beside this hook (a meta path finder). It is put in
    place at every interpreter start of the environment: the configuration is read, and
    what a rebuild needs imported, only when one of the project's modules is imported."""

    def __init__(self, config_json, names, packages):
        self.config_json = config_json
        self.names = names
        self.packages = packages
        self.modules = None
        self.rebuilt = False
        self.warned = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.packages:
            return package_spec(fullname, path, self.packages[fullname])
        if fullname not in self.names:
            return None
        if self.modules is None:
            self._read_config()
        built = self.modules[fullname]
        wanted = os.environ.get(REBUILD_ENV, "1").lower() not in ("0", "false", "no", "off")
        if self.rebuild and wanted:
            if not self.rebuilt:
                self._rebuild(fullname)
        elif not self.warned:
            why = f"{REBUILD_ENV}={os.environ[REBUILD_ENV]}" if self.rebuild else "-C editable-rebuild=false"
            self._warn_if_stale(fullname, built, why)
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
        self.sources = config["sources"]

    def _warn_if_stale(self, fullname, built, why):
        """Warns, once, when a source of ``fullname`` is newer than its ``built`` module."""
        try:
            built_at = os.stat(built).st_mtime_ns
        except OSError:
            return
        for source in self.sources.get(fullname, ()):
            try:
                newer = os.stat(source).st_mtime_ns > built_at
            except OSError:
                continue
            if newer:
                import warnings

                self.warned = True
                warnings.warn(
                    f"{fullname}: {source} changed after the module was built, and the editable install "
                    f"of {self.project} does not rebuild on import ({why}): the module is the old one; "
                    f"reinstall with `pip install -e {self.project_dir}` to build it",
                    stacklevel=2,
                )
                return

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
                    check=False,
                )
        except OSError as error:
            raise ImportError(
                f"{fullname}: cannot rebuild the editable install of {self.project}: {error}; "
                f"reinstall it with `pip install -e {self.project_dir}`, or set {REBUILD_ENV}=0 "
                "to use the last build",
                name=fullname,
            ) from None
        if done.returncode != 0:
            import re

            # Files through the backend's link to the project (`project/src/…`) named from
            # the project root, as a build names them (src/compile/diagnostics.rs).
            output = re.sub(r"(?m)(^|[\s'\"`(\[<=,])project/", r"\1", done.stdout.rstrip())
            raise ImportError(
                f"{fullname}: rebuilding the editable install of {self.project} failed:\n{output}",
                name=fullname,
            )


def package_spec(fullname, path, below):
    """The spec of the project's package ``fullname`` as the path finder finds it in the
    project, with the folder ``below`` site-packages (``/``-separated), where the editable
    wheel installed more of its files, added; None to leave the package to the path finder
    (a namespace package spans both folders already)."""
    from importlib.machinery import PathFinder, SourceFileLoader

    spec = PathFinder.find_spec(fullname, path)
    extra = os.path.join(os.path.dirname(os.path.abspath(__file__)), *below.split("/"))
    if spec is None or type(spec.loader) is not SourceFileLoader or not os.path.isdir(extra):
        return None
    folders = [extra, os.path.dirname(spec.origin)]
    spec.submodule_search_locations.append(extra)
    spec.loader = package_loader(SourceFileLoader)(fullname, spec.origin, folders)
    return spec


def package_loader(base):
    """A source loader (subclass of ``base``) of a package whose files are in several
    folders, the first winning."""

    class PackageLoader(base):
        def __init__(self, fullname, path, folders):
            super().__init__(fullname, path)
            self.folders = folders

        def get_resource_reader(self, name=None):
            return PackageResources(self.folders)

        def get_data(self, path):
            below = os.path.relpath(path, self.folders[-1])
            if not below.startswith(os.pardir):
                for folder in self.folders[:-1]:
                    candidate = os.path.join(folder, below)
                    if os.path.isfile(candidate):
                        return super().get_data(candidate)
            return super().get_data(path)

    return PackageLoader


class PackageResources:
    """What ``importlib.resources`` reads of a package whose files are in several folders:
    ``files()`` (Python 3.10+), and the reader methods of the legacy functions."""

    def __init__(self, folders):
        self.folders = folders

    def files(self):
        import pathlib

        return MergedFolder([pathlib.Path(folder) for folder in self.folders])

    def open_resource(self, resource):
        return self.files().joinpath(resource).open("rb")

    def resource_path(self, resource):
        found = self.files().joinpath(resource)
        if not found.is_file():
            raise FileNotFoundError(resource)
        return str(found)

    def is_resource(self, path):
        return self.files().joinpath(path).is_file()

    def contents(self):
        return iter([item.name for item in self.files().iterdir()])


class MergedFolder:
    """A folder seen through several real ones (a traversable of ``importlib.resources``):
    a name is the first folder's that has it; a subfolder that more than one has is merged
    in turn. Files are real ``pathlib.Path`` objects."""

    def __init__(self, folders):
        self.folders = folders

    @property
    def name(self):
        return self.folders[0].name

    def iterdir(self):
        seen = set()
        for folder in self.folders:
            for child in folder.iterdir():
                if child.name not in seen:
                    seen.add(child.name)
                    yield self._child(child.name)

    def joinpath(self, *descendants):
        node = self
        for descendant in descendants:
            for part in str(descendant).split("/"):
                if part:
                    node = node._child(part) if isinstance(node, MergedFolder) else node / part
        return node

    __truediv__ = joinpath

    def _child(self, name):
        found = [folder / name for folder in self.folders if (folder / name).exists()]
        folders = [path for path in found if path.is_dir()]
        if len(folders) > 1:
            return MergedFolder(folders)
        return found[0] if found else self.folders[0] / name

    def is_dir(self):
        return True

    def is_file(self):
        return False

    def exists(self):
        return True

    def open(self, *args, **kwargs):
        raise IsADirectoryError(str(self.folders[0]))

    def read_bytes(self):
        raise IsADirectoryError(str(self.folders[0]))

    def read_text(self, *args, **kwargs):
        raise IsADirectoryError(str(self.folders[0]))

    def __repr__(self):
        return f"MergedFolder({self.folders!r})"


def why_unsafe(tool):
    """Why another user could replace ``tool``; None when no one but this user and root can.

    The rule of zlig's core (``src/trust.rs``), kept the same: every folder from ``/`` down,
    every link on the way (followed, each judged where it lies) and the file itself belong
    to this user or root, and none may be written by anyone else, but for a sticky folder of
    root's (``/tmp``), where only an entry's owner may rename or remove it.
    """
    me = os.getuid()
    todo = _names(os.path.join(os.getcwd(), tool))
    at, links = "/", 0
    try:
        root = os.lstat(at)
        info = root
        if root.st_uid not in (me, 0):
            return f"/ belongs to another user (uid {root.st_uid})"
        while todo:
            name = todo.pop(0)
            if name == "..":
                at = os.path.dirname(at)
                info = os.lstat(at)
                continue
            following = os.path.join(at, name)
            entry = os.lstat(following)
            if entry.st_uid not in (me, 0):
                return f"{following} belongs to another user (uid {entry.st_uid})"
            if info.st_mode & 0o022 and not (info.st_mode & 0o1000 and info.st_uid == 0):
                return f"other users may write {at} (mode {info.st_mode & 0o7777:o})"
            if os.path.islink(following):
                links += 1
                if links > 40:
                    return f"{tool} goes through too many links"
                target = os.readlink(following)
                if os.path.isabs(target):
                    at, info = "/", root
                todo[:0] = _names(target)
            else:
                at, info = following, entry
    except (FileNotFoundError, NotADirectoryError) as error:
        return f"{error.filename} is missing"
    except OSError as error:
        return f"{error.filename} cannot be examined ({error.strerror})"
    if info.st_mode & 0o022:
        return f"other users may write {at} (mode {info.st_mode & 0o7777:o})"
    return None


def _names(path):
    """The names of ``path`` after its root, ``..`` kept."""
    return [name for name in path.split("/") if name not in ("", ".")]


def install(config_json, names, packages):
    """Puts the finder for one editable project, whose extension modules are ``names`` and
    whose packages with files beside this hook are ``packages`` (dotted name → folder
    below site-packages), first on ``sys.meta_path``."""
    for finder in sys.meta_path:
        if getattr(finder, "config_json", None) == config_json:
            return
    sys.meta_path.insert(0, ExtensionFinder(config_json, frozenset(names), packages))
