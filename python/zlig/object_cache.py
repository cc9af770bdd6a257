"""zlig's object cache: compiles a C or C++ source only when no build anywhere on this
machine compiled it before with the same compiler, flags, source and headers.

The ninja backend runs every compile through this file (copied into zlig's user cache, so
that it outlives the frontend's build environment, and run by a lasting interpreter with
the standard library only):

    python -I -S object_cache.py CACHE TOOLCHAIN -- COMPILER ... -MMD -MF DEP -c SRC -o OBJ

It works as ccache's direct mode does. The key of a compile is the toolchain's identity,
the command (with the output paths left out), and the source's bytes; under that key a
manifest lists the last few variants: the headers a compile read (from its depfile), the
hashes their bytes had, and the object they gave. A compile whose headers all hash as one
variant's did is served from the cache; any other runs, and is stored as the newest
variant. Paths in the command are relative to the
build dir's link to the project, so two checkouts of one project share entries. Storing
writes a temporary file and renames it, so concurrent builds never see half an entry; a
failure to read or store never fails a compile. zlig removes the least recently used
entries when the cache grows past its bound.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def digest(data):
    return hashlib.sha256(data).hexdigest()


def file_digest(path):
    with open(path, "rb") as file:
        return digest(file.read())


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


VARIANTS = 8


def variants(text):
    """A manifest's variants: (object key, [(header hash, header path)]), newest first."""
    found = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines:
            found.append((lines[0], [tuple(line.split(" ", 1)) for line in lines[1:]]))
    return found


def store(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temp, path)


def main(argv):
    cache, toolchain, command = argv[1], argv[2], argv[4:]
    source = command[command.index("-c") + 1]
    output = command[command.index("-o") + 1]
    depfile = command[command.index("-MF") + 1]
    outputs = {output, depfile}
    key = digest(
        "\0".join([toolchain, *("<out>" if word in outputs else word for word in command)]).encode()
        + file_digest(source).encode()
    )
    manifest = os.path.join(cache, "manifests", key[:2], key)
    try:
        with open(manifest) as file:
            known = variants(file.read())
    except (OSError, ValueError):
        known = []
    for result, headers in known:
        try:
            if all(file_digest(path) == hashed for hashed, path in headers):
                entry = os.path.join(cache, "objects", result[:2], result)
                shutil.copyfile(entry + ".o", output)
                with open(entry + ".d") as file:
                    dependencies = file.read()
                with open(depfile, "w") as file:
                    file.write(output.replace(" ", "\\ ") + dependencies)
                os.utime(entry + ".o")
                return 0
        except (OSError, ValueError):
            continue
    status = subprocess.call(command)
    if status != 0:
        return status
    try:
        with open(depfile) as file:
            text = file.read()
        headers = sorted(set(depfile_inputs(text)) - {source})
        hashes = [f"{file_digest(path)} {path}" for path in headers]
        result = digest("\n".join([key, *hashes]).encode())
        entry = os.path.join(cache, "objects", result[:2], result)
        with open(output, "rb") as file:
            store(entry + ".o", file.read())
        store(entry + ".d", text[text.index(": ") :].encode())
        others = ["\n".join([r, *(f"{h} {p}" for h, p in hs)]) for r, hs in known if r != result]
        newest = "\n".join([result, *hashes])
        store(manifest, "\n\n".join([newest, *others][:VARIANTS]).encode())
    except OSError:
        pass  # only a cache: the object is built either way
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
