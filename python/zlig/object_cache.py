"""zlig's object cache: a compile is served from the cache only when compiling now would
give the same object, whichever build on this machine compiled it before.

The ninja backends run every compile through this file (copied into zlig's user cache, so
that it outlives the frontend's build environment, and run by a lasting interpreter with
the standard library only):

    python -I -S object_cache.py CACHE TOOLCHAIN -- COMPILER ... -MD -MF DEP -c SRC -o OBJ

It works as ccache's direct mode does, with its safeguards and one it lacks. The key of a
compile holds the entry format; TOOLCHAIN (zlig's version, the compiler's version answer,
the Python headers' release); the command, its output paths left out (paths in it are
relative to the build dir's link to the project, so two checkouts of one project share
entries); the environment variables that change what the compiler reads or writes
(ENVIRONMENT); the source's bytes; and SOURCE_DATE_EPOCH when the source uses __DATE__ or
__TIME__. Under that key a manifest lists the last few variants, each with:
- every header the compile read (its depfile, system headers included: the command asks
  for -MD) and the hash of its bytes;
- every path where a header would have been found before the one used, and where the
  compile found nothing ("absent" paths, see `absent_paths`): a header that appears there
  later shadows the one used, so the compile would change;
- SOURCE_DATE_EPOCH, when a header uses __DATE__ or __TIME__;
- the hashes of the object and the depfile stored.
A variant serves when every header hashes as it did, every absent path is still free, and
the stored object and depfile hash as they did (a damaged entry is compiled again and
replaced). A compile that no variant serves runs, and is stored as the newest variant.

Never stored: a compile that uses __TIMESTAMP__, or __DATE__ or __TIME__ without
SOURCE_DATE_EPOCH (compilers expand them from the clock; ccache's "time_macros"); one
whose source, a header, or a file on its absent paths changed after the compile started,
since the compiler may have read what was there before (ccache's "include file too new");
one that read something other than a regular file.

Storing writes temporary files and renames them, so concurrent builds never see half an
entry, and a manifest carries the hash of its text; a failure to read or store never
fails a compile. A cache folder that is not this user's alone (zlig makes it so) is not
used: the compile just runs. zlig removes the least recently used objects when the cache grows past
its bound.
"""

import hashlib
import os
import stat
import sys

# Part of every key: entries written in another layout are never read.
FORMAT = "2"

# How many variants a manifest keeps.
VARIANTS = 8

# What in the environment changes a compile, as ccache hashes it: the include search path
# (gcc and clang), gcc's own programs, clang's injected options, zig's lib folder.
ENVIRONMENT = (
    "CPATH",
    "C_INCLUDE_PATH",
    "CPLUS_INCLUDE_PATH",
    "OBJC_INCLUDE_PATH",
    "OBJCPLUS_INCLUDE_PATH",
    "COMPILER_PATH",
    "GCC_COMPARE_DEBUG",
    "GCC_EXEC_PREFIX",
    "CCC_OVERRIDE_OPTIONS",
    "ZIG_LIB_DIR",
)

# The flags that add include folders, and which part of the search each one joins.
INCLUDE_FLAGS = (
    ("-iquote", "quote"),
    ("-isystem", "system"),
    ("-cxx-isystem", "system"),
    ("-idirafter", "after"),
    ("--include-directory-after", "after"),
    ("--include-directory", "angle"),
    ("-I", "angle"),
)


class Uncacheable(Exception):
    """A compile whose object must not be stored or served."""


class Compile:
    """The parts of a compile command the cache reads."""

    def __init__(self, command):
        self.command = command
        self.source = command[command.index("-c") + 1]
        self.output = command[command.index("-o") + 1]
        self.depfile = command[command.index("-MF") + 1]

    def words_without_outputs(self):
        """The command with its output paths replaced, so that the key does not hold them."""
        outputs = {self.output, self.depfile}
        return ["<out>" if word in outputs else word for word in self.command]

    def probe(self):
        """The command that asks the compiler for its own include folders: this one without
        its input, outputs and include flags (which `search_path` reads itself)."""
        drop = {"-c", "-o", "-MF"}
        words, skip = [], False
        for word in self.command:
            if skip:
                skip = False
            elif word in drop:
                skip = True
            elif word not in ("-MD", "-MMD"):
                words.append(word)
        _, rest = include_flags(words)
        language = "c" if self.source.endswith(".c") else "c++"
        return [*rest, "-E", "-v", "-x", language, os.devnull]


def digest(data):
    return hashlib.sha256(data).hexdigest()


def read_input(path):
    """The bytes and the status of a file a compile reads. A FIFO or a device is refused
    (without blocking on it, as a read could)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise Uncacheable(f"{path} is not a regular file")
        # Plain reads, one for a file that did not grow (a regular file reads whole): a file
        # object costs more than the read for a header, and a compile reads hundreds.
        data = os.read(fd, status.st_size + 1)
        if len(data) > status.st_size:
            chunks = [data]
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data, status
    finally:
        os.close(fd)


def stamp(path):
    """The file system's time now, as it dates `path` (created, or emptied): comparing it
    with the times of the inputs compares two times from one clock, whatever the file
    system's granularity and lag."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.utime(fd)
        return os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)


def too_new(status, started):
    """Whether a file changed at or after `started` (its content or its name: mtime or
    ctime), so that the compile that started then may have read something else."""
    return status.st_mtime_ns >= started or status.st_ctime_ns >= started


def uses_time(data):
    """Whether `data` names __DATE__ or __TIME__; __TIMESTAMP__ (the file's own time, which
    not every compiler takes from SOURCE_DATE_EPOCH) makes it uncacheable."""
    if b"__TIMESTAMP__" in data:
        raise Uncacheable("__TIMESTAMP__")
    return b"__DATE__" in data or b"__TIME__" in data


def depfile_inputs(text):
    """The prerequisites of a makefile-style depfile, escapes undone: a backslash before a
    character, and the compiler's ``$$`` for ``$``."""
    text = text.replace("\\\n", " ")
    _, _, inputs = text.partition(": ")
    words, word, chars = [], "", iter(inputs.replace("$$", "$"))
    for char in chars:
        if char == "\\":
            word += next(chars, "")
        elif char.isspace():
            if word:
                words.append(word)
            word = ""
        else:
            word += char
    return words + ([word] if word else [])


class Variant:
    """One compile under a key: what it read, where it found nothing, what it gave."""

    __slots__ = ("absent", "depfile_hash", "epoch", "headers", "object_hash", "result")

    def __init__(self, result, object_hash, depfile_hash, epoch, headers, absent):
        self.result = result
        self.object_hash = object_hash
        self.depfile_hash = depfile_hash
        # SOURCE_DATE_EPOCH for a compile whose headers use the time, else None.
        self.epoch = epoch
        # [(hash of its bytes, path)]
        self.headers = headers
        self.absent = absent

    def text(self):
        lines = [f"object {self.result} {self.object_hash} {self.depfile_hash} {self.epoch or '-'}"]
        lines += [f"header {hashed} {path}" for hashed, path in self.headers]
        lines += [f"absent {path}" for path in self.absent]
        return "\n".join(lines)

    @classmethod
    def parse(cls, block):
        lines = block.split("\n")
        kind, result, object_hash, depfile_hash, epoch = lines[0].split(" ", 4)
        if kind != "object":
            raise ValueError(block)
        headers, absent = [], []
        for line in lines[1:]:
            kind, _, rest = line.partition(" ")
            if kind == "header":
                hashed, _, path = rest.partition(" ")
                headers.append((hashed, path))
            elif kind == "absent":
                absent.append(rest)
            else:
                raise ValueError(line)
        return cls(result, object_hash, depfile_hash, None if epoch == "-" else epoch, headers, absent)


def manifest_text(variants):
    """A manifest: its variants, newest first, under a line holding the hash of their text."""
    body = "\n\n".join(variant.text() for variant in variants).encode()
    return b"zlig-manifest " + digest(body).encode() + b"\n" + body


def read_manifest(path):
    """The variants of the manifest at `path`; none when it is missing or damaged."""
    try:
        with open(path, "rb") as file:
            head, _, body = file.read().partition(b"\n")
        if head != b"zlig-manifest " + digest(body).encode():
            return []
        return [Variant.parse(block) for block in body.decode().split("\n\n") if block]
    except (OSError, ValueError):
        return []


def holds_file(path):
    """Whether the compiler would find a header at `path` (a folder does not count)."""
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def entry(cache, result):
    """Where the object and the depfile of a result are kept (`.o`, `.d`)."""
    return os.path.join(cache, "objects", result[:2], result)


def lookup(cache, variants, compile, epoch):
    """Serves the first variant that compiling now would give; whether one did."""
    hashes = {}

    def hashed(path):
        if path not in hashes:
            try:
                hashes[path] = digest(read_input(path)[0])
            except (OSError, Uncacheable):
                hashes[path] = None
        return hashes[path]

    for variant in variants:
        if variant.epoch is not None and variant.epoch != epoch:
            continue
        if not all(hashed(path) == wanted for wanted, path in variant.headers):
            continue
        if any(holds_file(path) for path in variant.absent):
            continue
        try:
            stored = entry(cache, variant.result)
            with open(stored + ".o", "rb") as file:
                obj = file.read()
            with open(stored + ".d", "rb") as file:
                dependencies = file.read()
            if digest(obj) != variant.object_hash or digest(dependencies) != variant.depfile_hash:
                continue  # damaged: compiled again, and replaced
            with open(compile.output, "wb") as file:
                file.write(obj)
            with open(compile.depfile, "wb") as file:
                file.write(compile.output.replace(" ", "\\ ").encode() + dependencies)
            os.utime(stored + ".o")
            return True
        except OSError:
            continue
    return False


def include_flags(words):
    """The folders the include flags of `words` add, by the part of the search they join
    (`quote`, `angle`, `system`, `after`), in order; and the other words."""
    dirs = {"quote": [], "angle": [], "system": [], "after": []}
    rest = []
    words = iter(words)
    for word in words:
        for flag, part in INCLUDE_FLAGS:
            if word == flag:
                value = next(words, "")
            elif flag.startswith("--") and word.startswith(flag + "="):
                value = word[len(flag) + 1 :]
            elif not flag.startswith("--") and word.startswith(flag):
                value = word[len(flag) :]
            else:
                continue
            if value not in ("", "-"):  # `-I-`: gcc's obsolete split, which adds nothing
                dirs[part].append(value)
            break
        else:
            rest.append(word)
    return dirs, rest


def environment_dirs(name):
    """The folders an include path variable names (an empty entry is the current folder)."""
    value = os.environ.get(name)
    return [] if value is None else [entry or "." for entry in value.split(os.pathsep)]


def compiler_dirs(cache, toolchain, compile):
    """The folders the compiler searches on its own (its headers, the C library's), in
    order, as `-v` lists them; remembered per command. None are known when it will not say."""
    import subprocess

    argv = compile.probe()
    memo = os.path.join(cache, "search", digest("\0".join([FORMAT, toolchain, *argv]).encode()))
    try:
        with open(memo) as file:
            return file.read().splitlines()
    except OSError:
        pass
    env = {name: value for name, value in os.environ.items() if not name.endswith("INCLUDE_PATH") and name != "CPATH"}
    try:
        done = subprocess.run(
            argv, check=False, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except OSError:
        return []
    lines = done.stderr.decode(errors="replace").splitlines()
    if done.returncode != 0 or "End of search list." not in lines:
        return []
    found, listing = [], False
    for line in lines:
        if line.startswith("#include <...>"):
            listing = True
        elif line == "End of search list.":
            break
        elif listing:
            found.append(line.strip().removesuffix(" (framework directory)"))
    write_atomically(memo, "".join(f"{folder}\n" for folder in found).encode())
    return found


def search_path(cache, toolchain, compile):
    """Where the compiler looks for `#include "name"` (after the including file's folder)
    and for `#include <name>`, in gcc's and clang's order: -iquote; then -I, CPATH,
    -isystem, C_INCLUDE_PATH or CPLUS_INCLUDE_PATH, the compiler's own folders, -idirafter."""
    dirs, _ = include_flags(compile.command)
    language = "C_INCLUDE_PATH" if compile.source.endswith(".c") else "CPLUS_INCLUDE_PATH"
    angle = [
        *dirs["angle"],
        *environment_dirs("CPATH"),
        *dirs["system"],
        *environment_dirs(language),
        *compiler_dirs(cache, toolchain, compile),
        *dirs["after"],
    ]
    return dirs["quote"] + angle, angle


def directives(data):
    """The headers `data` names (`#include`, `#include_next`, `#import`, `__has_include`,
    `__has_include_next`), as (quoted, name); names a macro computes are not seen."""
    import re

    # A line's start as a newline before it: `^` with re.MULTILINE is thirty times slower.
    found = re.findall(rb'\n[ \t]*#[ \t]*(?:include|import)(?:_next)?[ \t]*([<"])([^>"\r\n]+)', b"\n" + data)
    if b"__has_include" in data:
        found += re.findall(rb'__has_include(?:_next)?[ \t]*\([ \t]*([<"])([^>"\r\n]+)', data)
    for quote, name in found:
        yield quote == b'"', os.fsdecode(name)


def absent_paths(files, search, started):
    """Where a header would have been found before the one the compile used, and nothing
    was: for each file read (`files`: path → bytes) and each header it names, the
    candidates in search order until one holds a file. `search` is `search_path`'s: the
    folders for a quoted name (after the including file's) and for an angled one.

    Covered: the including file's folder for a quoted name, then the folders of
    `search_path`. A directive in a branch the preprocessor skipped is searched too (a
    header appearing where it looks only costs a compile); `#include_next` is searched
    from the start (more paths checked, never fewer); a name a macro computes, and the
    files of `-include`, are not searched. A file found on the way that the compile did
    not read (its directive was skipped) ends the search, unless it changed after the
    compile started: then the compile may have missed it, and nothing is stored."""
    quoted_dirs, angled_dirs = search
    read = {os.path.normpath(path) for path in files}
    absent = set()
    for includer, data in files.items():
        here = os.path.dirname(includer)
        for quoted, name in directives(data):
            for folder in [here, *quoted_dirs] if quoted else angled_dirs:
                candidate = os.path.join(folder, name)
                try:
                    status = os.stat(candidate)
                except OSError:
                    absent.add(candidate)
                    continue
                if stat.S_ISDIR(status.st_mode):
                    absent.add(candidate)
                    continue
                if os.path.normpath(candidate) not in read and too_new(status, started):
                    raise Uncacheable(f"{candidate} appeared during the compile")
                break
    return sorted(absent)


def store(cache, toolchain, key, variants, compile, started, source_bytes):
    """Stores the object the compile just made as the newest variant under `key`, unless
    what it read changed since it started (Uncacheable). The variant holds every header of
    the depfile with the hash of its bytes, the absent paths, SOURCE_DATE_EPOCH when a
    header names __DATE__ or __TIME__, and the hashes of the object and depfile stored."""
    with open(compile.depfile) as file:
        text = file.read()
    files = {compile.source: source_bytes}
    for path in sorted(set(depfile_inputs(text)) - {compile.source}):
        data, status = read_input(path)
        if too_new(status, started) or "\n" in path:
            raise Uncacheable(path)
        files[path] = data
    if too_new(os.stat(compile.source), started):
        raise Uncacheable(compile.source)
    headers = [(digest(data), path) for path, data in files.items() if path != compile.source]
    timed = any(uses_time(data) for path, data in files.items() if path != compile.source)
    epoch = os.environ.get("SOURCE_DATE_EPOCH") if timed else None
    if timed and (epoch is None or "\n" in epoch):
        raise Uncacheable("__DATE__ or __TIME__ without SOURCE_DATE_EPOCH")
    absent = absent_paths(files, search_path(cache, toolchain, compile), started)
    with open(compile.output, "rb") as file:
        obj = file.read()
    dependencies = text[text.index(": ") :].encode()
    listed = "\n".join([*(f"{h} {p}" for h, p in headers), *absent, epoch or ""])
    result = digest(f"{key}\n{listed}".encode())
    stored = entry(cache, result)
    write_atomically(stored + ".o", obj)
    write_atomically(stored + ".d", dependencies)
    newest = Variant(result, digest(obj), digest(dependencies), epoch, headers, absent)
    others = [variant for variant in variants if variant.result != result]
    path = os.path.join(cache, "manifests", key[:2], key)
    write_atomically(path, manifest_text([newest, *others][:VARIANTS]))


def write_atomically(path, data):
    """Writes ``path`` through a private temporary file named for this process (removed if
    the write fails: a full disk keeps nothing half-written), in folders made private."""
    import tempfile

    folder = os.path.dirname(path)
    umask = os.umask(0o077)
    try:
        os.makedirs(folder, exist_ok=True)
    finally:
        os.umask(umask)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".zlig-{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def compile_key(toolchain, compile, source_bytes):
    """The key of a compile, or Uncacheable. It holds: the entry format; `toolchain`
    (zlig's version, the compiler's version answer, the Python headers' release); the
    command without its output paths (compiler, target, every flag and include folder);
    the ENVIRONMENT variables set; SOURCE_DATE_EPOCH when the source names __DATE__ or
    __TIME__; the source's bytes. What the compile reads besides is each variant's (`store`)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if uses_time(source_bytes):
        if epoch is None:
            raise Uncacheable("__DATE__ or __TIME__ without SOURCE_DATE_EPOCH")
    else:
        epoch = ""
    environment = [f"{name}={os.environ[name]}" for name in ENVIRONMENT if name in os.environ]
    words = [FORMAT, toolchain, *compile.words_without_outputs(), *environment, f"epoch={epoch}"]
    return digest("\0".join(words).encode() + b"\0" + digest(source_bytes).encode())


def trusted(cache):
    """Whether the cache is this user's (or root's) and closed to others, as zlig makes it:
    then nothing in it is another user's doing."""
    try:
        info = os.stat(cache)
    except OSError:
        return False
    return info.st_uid in (os.getuid(), 0) and not info.st_mode & 0o077


def run(command):
    import subprocess

    return subprocess.call(command)


def main(argv):
    cache, toolchain, command = argv[1], argv[2], argv[4:]
    if not trusted(cache):
        return run(command)
    compile = Compile(command)
    try:
        # Before the source is read: a source edited after this moment is not stored.
        started = stamp(compile.depfile)
        source_bytes, _ = read_input(compile.source)
        key = compile_key(toolchain, compile, source_bytes)
    except (OSError, Uncacheable):
        return run(command)
    manifest = os.path.join(cache, "manifests", key[:2], key)
    variants = read_manifest(manifest)
    if lookup(cache, variants, compile, os.environ.get("SOURCE_DATE_EPOCH")):
        return 0
    status = run(command)
    if status == 0:
        try:
            store(cache, toolchain, key, variants, compile, started, source_bytes)
        except (OSError, ValueError, Uncacheable):
            pass  # only a cache: the object is built either way
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
