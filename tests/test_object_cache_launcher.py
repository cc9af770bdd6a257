"""The object cache launcher's own rules, on files in a temporary folder: what a key holds,
where a header could have shadowed the one used, what a compiler says of its own include
folders, and which manifests and inputs are trusted. The end-to-end behaviour is in
test_object_cache.py."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import pytest

from helpers import ROOT


@pytest.fixture(scope="module")
def launcher():
    """python/zlig/object_cache.py of the working tree, as a module."""
    spec = importlib.util.spec_from_file_location("object_cache", ROOT / "python" / "zlig" / "object_cache.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMMAND = ["cc", "-O2", "-Iinc", "-MD", "-MF", "obj/a.o.d", "-c", "src/a.c", "-o", "obj/a.o"]


def test_depfile_inputs_undo_make_escapes(launcher):
    text = "obj/a.o: src/a.c inc/with\\ space.h \\\n  /usr/include/price$$.h inc/hash\\#.h\n"
    assert launcher.depfile_inputs(text) == ["src/a.c", "inc/with space.h", "/usr/include/price$.h", "inc/hash#.h"]


def test_a_manifest_reads_back_and_a_damaged_one_reads_as_empty(launcher, tmp_path):
    variant = launcher.Variant("r" * 64, "o" * 64, "d" * 64, "86400", [("h" * 64, "inc/a b.h")], ["src/a.h", "inc/x/y.h"])
    plain = launcher.Variant("s" * 64, "o" * 64, "d" * 64, None, [], [])
    path = tmp_path / "manifest"
    path.write_bytes(launcher.manifest_text([variant, plain]))
    read = launcher.read_manifest(path)
    assert [v.text() for v in read] == [variant.text(), plain.text()]
    assert read[0].epoch == "86400" and read[1].epoch is None

    whole = path.read_bytes()
    for damaged in (whole[:-10], whole.split(b"\n", 1)[0] + b"\n", whole.replace(b"inc/a b.h", b"inc/a c.h"), b""):
        path.write_bytes(damaged)
        assert launcher.read_manifest(path) == []
    assert launcher.read_manifest(tmp_path / "missing") == []


def test_the_key_holds_the_environment_and_the_epoch_only_for_time_macros(launcher, monkeypatch):
    compile = launcher.Compile(COMMAND)
    for name in ("SOURCE_DATE_EPOCH", *launcher.ENVIRONMENT):
        monkeypatch.delenv(name, raising=False)
    plain = b"int f(void) { return 1; }\n"
    dated = b'const char *d = __DATE__ " " __TIME__;\n'
    key = launcher.compile_key("tc", compile, plain)
    assert launcher.compile_key("other", compile, plain) != key
    assert launcher.compile_key("tc", launcher.Compile([*COMMAND, "-DX"]), plain) != key
    assert launcher.compile_key("tc", launcher.Compile(COMMAND[:-1] + ["obj/b.o"]), plain) == key
    with pytest.raises(launcher.Uncacheable):
        launcher.compile_key("tc", compile, dated)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert launcher.compile_key("tc", compile, plain) == key
    at_zero = launcher.compile_key("tc", compile, dated)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert launcher.compile_key("tc", compile, dated) != at_zero
    with pytest.raises(launcher.Uncacheable):
        launcher.compile_key("tc", compile, b"const char *t = __TIMESTAMP__;\n")

    monkeypatch.setenv("CPATH", "/opt/include")
    assert launcher.compile_key("tc", compile, plain) != key


def test_include_flags_are_read_in_every_spelling(launcher):
    words = ["cc", "-I", "a", "-Ib", "--include-directory=c", "-isystem", "/s", "-isystem/t", "-iquote", "q",
             "-idirafter", "/after", "-I-", "-include", "pre.h", "-c", "x.c"]
    dirs, rest = launcher.include_flags(words)
    assert dirs == {"quote": ["q"], "angle": ["a", "b", "c"], "system": ["/s", "/t"], "after": ["/after"]}
    assert rest == ["cc", "-include", "pre.h", "-c", "x.c"]


def test_directives_name_included_and_tested_headers(launcher):
    data = (
        b'#include "a.h"\n  #  include <sys/b.h>\n#include_next <c.h>\n#import "d.h"\n'
        b"#if __has_include(<e.h>) && __has_include_next(\"f.h\")\n#endif\n"
        b"#include MACRO_NAME\n// #include \"comment.h\" is not at the start of a line\n"
    )
    assert list(launcher.directives(data)) == [
        (True, "a.h"), (False, "sys/b.h"), (False, "c.h"), (True, "d.h"), (False, "e.h"), (True, "f.h"),
    ]


# A compile's start after every file a test writes (whose times cannot be set back).
LONG_AFTER = time.time_ns() + 3600 * 10**9


def files_of(root: Path, names: dict[str, str]) -> None:
    for name, text in names.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_absent_paths_are_the_candidates_searched_before_each_header_found(launcher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files_of(tmp_path, {
        "src/a.c": '#include "shared.h"\n#include <sys/deep.h>\n',
        "second/shared.h": '#include "near.h"\n',
        "second/near.h": "",
        "system/sys/deep.h": "",
        "first/README": "",
    })
    read = {p: Path(p).read_bytes() for p in ("src/a.c", "second/shared.h", "second/near.h", "system/sys/deep.h")}
    angled = ["first", "second", "system"]
    absent = launcher.absent_paths(read, (["quoted", *angled], angled), LONG_AFTER)
    assert absent == sorted([
        "src/shared.h", "quoted/shared.h", "first/shared.h",  # before second/shared.h
        "first/sys/deep.h", "second/sys/deep.h",  # before system/sys/deep.h
    ])  # second/near.h is in the including file's folder: nothing before it


def test_a_file_found_but_not_read_ends_its_search_unless_it_is_new(launcher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files_of(tmp_path, {"src/a.c": "#ifdef NEVER\n#include <skipped.h>\n#endif\n", "first/skipped.h": ""})
    read = {"src/a.c": Path("src/a.c").read_bytes()}
    assert launcher.absent_paths(read, ([], ["first", "second"]), LONG_AFTER) == []
    # Written after the compile started: it may have been there too late for the compiler.
    started = launcher.stamp(str(tmp_path / "stamp"))
    (tmp_path / "first" / "skipped.h").write_text("/* new */\n")
    with pytest.raises(launcher.Uncacheable):
        launcher.absent_paths(read, ([], ["first", "second"]), started)


def test_inputs_changed_since_the_start_and_other_than_regular_files_are_refused(launcher, tmp_path):
    header = tmp_path / "a.h"
    header.write_text("old\n")
    started = launcher.stamp(str(tmp_path / "stamp"))
    header.write_text("new\n")
    data, status = launcher.read_input(str(header))
    assert data == b"new\n" and launcher.too_new(status, started)
    fifo = tmp_path / "fifo.h"
    os.mkfifo(fifo)
    with pytest.raises(launcher.Uncacheable):
        launcher.read_input(str(fifo))


def test_the_compilers_own_folders_are_asked_once_per_command(launcher, tmp_path):
    log = tmp_path / "asked"
    compiler = tmp_path / "fakecc"
    compiler.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {log}\n'
        "cat >&2 <<'EOF'\n"
        "ignoring nonexistent directory \"/nowhere\"\n"
        '#include "..." search starts here:\n'
        "#include <...> search starts here:\n"
        " /opt/cc/include\n"
        " /usr/include\n"
        " /Library/Frameworks (framework directory)\n"
        "End of search list.\n"
        "EOF\n"
    )
    compiler.chmod(0o755)
    compile = launcher.Compile([str(compiler), "-O2", "-Iinc", "-isystem", "/py", "-MD", "-MF", "a.o.d", "-c", "a.cpp", "-o", "a.o"])
    for _ in range(2):
        assert launcher.compiler_dirs(str(tmp_path / "cache"), "tc", compile) == [
            "/opt/cc/include", "/usr/include", "/Library/Frameworks",
        ]
    assert log.read_text() == f"-O2 -E -v -x c++ {os.devnull}\n"
