//! The compile flags that keep the building machine's folders out of compiled modules, in
//! every optimize mode: DWARF names source files and the compilation dir, `__FILE__` and
//! `assert` put file names into `.rodata` (release modes too), and UBSan names source
//! locations.
//!
//! The built-in backends name the project's files through their link to it
//! (`BuildEnv::link_project`), so those paths are relative already. What is left are the
//! absolute folders a compile reads from: Python's headers, zig's `lib` (libc and libc++
//! headers), and include dirs given by absolute path in the flags (numpy's, say). Each is
//! recorded under a short relative name that is the same on every machine. The link step's
//! part (runtime libraries built without DWARF) belongs to the backends.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::compile::graph::BuildGraph;
use crate::compile::toolchain::Zig;

/// Flags for UBSan in `Debug`: source locations reduced to file names (the prefix maps do
/// not reach them), and each check's data in its own section, so that the link's
/// `--gc-sections` drops what trap mode leaves unreferenced (type names such as
/// `(lambda at /abs/header.h:1:2)`).
pub const UBSAN_PATH_FLAGS: [&str; 2] = [
    "-fsanitize-undefined-strip-path-components=-1",
    "-fdata-sections",
];

/// Options that take an include dir, joined (`-I/x`) or as the next argument.
const INCLUDE_OPTIONS: [&str; 4] = ["-isystem", "-idirafter", "-iquote", "-I"];

/// The path maps for compiling `graph`, for every extension alike.
///
/// With `zig`, the compiler is zig's clang: the compilation dir is recorded as `.` and
/// zig's `lib` as `zig`. Without it (a platform compiler, a third-party backend), only
/// `-ffile-prefix-map`, which GCC 8 and clang 10 know; GCC has no
/// `-fdebug-compilation-dir`, so its `Debug` output keeps the build folder. An absolute
/// `graph.root` (a graph not relocated to a backend's link) is recorded as `.`.
pub fn flags(graph: &BuildGraph, zig: Option<&Zig>) -> Vec<String> {
    let mut folders: Vec<(PathBuf, String)> = Vec::new();
    if graph.root.is_absolute() {
        folders.push((graph.root.clone(), ".".into()));
    }
    folders.push((graph.target.include_dir.clone(), "python".into()));
    if let Some(zig) = zig {
        folders.push((zig.lib_dir(), "zig".into()));
    }
    let named: BTreeSet<PathBuf> = folders.iter().map(|(f, _)| f.clone()).collect();
    let others = absolute_include_dirs(graph)
        .into_iter()
        .filter(|dir| !named.contains(dir));
    folders.extend(
        others
            .enumerate()
            .map(|(i, dir)| (dir, format!("include{i}"))),
    );
    // clang applies the last matching map to DWARF and the longest to `__FILE__`: broad
    // folders first make both pick the most specific one.
    folders.sort_by_key(|(folder, _)| folder.components().count());

    let mut flags = Vec::new();
    if zig.is_some() {
        flags.push("-fdebug-compilation-dir=.".to_string());
    }
    flags.extend(
        folders
            .iter()
            .map(|(folder, name)| format!("-ffile-prefix-map={}={name}", folder.display())),
    );
    flags
}

/// Every absolute include dir of the graph's extensions, from their include dirs and their
/// compile flags (`CFLAGS`, `extra-compile-args`), sorted.
fn absolute_include_dirs(graph: &BuildGraph) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    for ext in &graph.extensions {
        dirs.extend(ext.include_dirs.iter().cloned());
        let mut flags = ext.compile_flags.iter();
        while let Some(flag) = flags.next() {
            let Some(option) = INCLUDE_OPTIONS.iter().find(|o| flag.starts_with(**o)) else {
                continue;
            };
            let dir = match &flag[option.len()..] {
                "" => flags.next().map(String::as_str).unwrap_or_default(),
                joined => joined,
            };
            dirs.insert(PathBuf::from(dir));
        }
    }
    // The project's own folders are named through its link, or by the root's map.
    dirs.retain(|dir| {
        dir.is_absolute() && !(graph.root.is_absolute() && dir.starts_with(&graph.root))
    });
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_support::sample_graph;
    use std::path::Path;

    fn zig() -> Zig {
        Zig {
            path: "/venv/lib/python3.11/site-packages/ziglang/zig".into(),
            version: "0.17.0".into(),
            origin: "ZLIG_ZIG".into(),
        }
    }

    #[test]
    fn zig_compiles_get_the_compilation_dir_python_zig_and_outside_include_dirs() {
        let mut graph = sample_graph(&["a.c"]).relocated(Path::new("project"));
        graph.extensions[0].compile_flags.extend(
            [
                "-I/opt/numpy/include",
                "-isystem",
                "/opt/more",
                "-Irelative",
                "-DX",
            ]
            .map(String::from),
        );
        assert_eq!(
            flags(&graph, Some(&zig())),
            [
                "-fdebug-compilation-dir=.",
                "-ffile-prefix-map=/opt/more=include0",
                "-ffile-prefix-map=/usr/include/python3.11=python",
                "-ffile-prefix-map=/opt/numpy/include=include1",
                "-ffile-prefix-map=/venv/lib/python3.11/site-packages/ziglang/lib=zig",
            ]
        );
    }

    #[test]
    fn other_compilers_get_only_file_prefix_maps_and_an_absolute_root_is_dot() {
        let graph = sample_graph(&["a.c"]);
        assert_eq!(
            flags(&graph, None),
            [
                "-ffile-prefix-map=/p=.",
                "-ffile-prefix-map=/usr/include/python3.11=python",
            ]
        );
    }

    #[test]
    fn the_most_specific_map_comes_last_which_is_the_one_dwarf_uses() {
        let mut graph = sample_graph(&["a.c"]).relocated(Path::new("project"));
        graph.extensions[0].compile_flags.push("-I/usr".into());
        let flags = flags(&graph, Some(&zig()));
        let header = "/usr/include/python3.11/Python.h";
        let last_match = flags
            .iter()
            .rev()
            .filter_map(|f| f.strip_prefix("-ffile-prefix-map="))
            .filter_map(|map| map.rsplit_once('='))
            .find(|(from, _)| Path::new(header).starts_with(from));
        assert_eq!(last_match, Some(("/usr/include/python3.11", "python")));
    }
}
