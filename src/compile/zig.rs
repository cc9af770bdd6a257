//! The `zig` backend: runs `zig build` on zlig's own `build.zig` (`graph_build.zig`) and a
//! `graph.json` that describes the project.
//!
//! The build file is the same for every project and only the JSON differs, so zig's
//! configure step (the build file compiled into an executable, 2 s) is compiled once per
//! machine and copied into each new build dir (`configure_cache`), instead of once per
//! checkout. The build follows ZIG.md: an explicit target, no UBSan traps outside `Debug`,
//! stripped output, libc linked, only `PyInit_<name>` exported (version script), undefined
//! `Py*` symbols allowed. Sources of one extension are split into one object per job,
//! because a single compile step compiles its C files one after another (ZIG.md §4).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::compile::backend::{Backend, BuildEnv};
use crate::compile::configure_cache;
use crate::compile::graph::{BuildGraph, Extension, Language, LinkInput, debug_path_maps};
use crate::compile::toolchain::{ZIG_SCRUBBED_ENV, ZIGLANG_REQUIREMENT, Zig};
use crate::compile::warmup::{self, Warmup};
use crate::error::{Error, IoContext, Result};
use crate::project::files::slash_path;
use crate::project::settings::Optimize;

/// zlig's `build.zig`: the same for every project.
pub const BUILD_ZIG: &str = include_str!("graph_build.zig");

/// A short hash of `BUILD_ZIG`, so that a changed build file is written and compiled anew.
pub fn build_zig_hash() -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(BUILD_ZIG.as_bytes());
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The file `BUILD_ZIG` reads the project from.
const GRAPH_JSON: &str = "graph.json";

/// Drives `zig build`.
pub struct ZigBackend {
    zig: std::result::Result<Zig, String>,
}

impl ZigBackend {
    pub fn new(zig: std::result::Result<Zig, String>) -> Self {
        Self { zig }
    }

    /// `zig build` on the written build file, with zig's leaky environment variables removed.
    fn command(
        &self,
        env: &BuildEnv,
        graph: &BuildGraph,
        only: Option<&[&str]>,
    ) -> Result<Command> {
        let zig = self.zig()?;
        let mut command = Command::new(&zig.path);
        command
            .arg("build")
            .arg("--build-file")
            .arg(env.work_dir.join(self.build_file()))
            .arg("--cache-dir")
            .arg(env.work_dir.join("zig-cache"))
            .arg("--prefix")
            .arg(&env.out_dir)
            .arg(format!(
                "-Dgraph={}",
                env.work_dir.join(GRAPH_JSON).display()
            ))
            .arg(format!("-Doptimize={}", optimize_name(graph.optimize)))
            .arg(format!("-Dtarget={}", graph.target.zig_triple))
            .arg(format!("-j{}", env.jobs + 1))
            .args(["--summary", "none"])
            .args(only.unwrap_or_default())
            .current_dir(&env.work_dir)
            .stdin(Stdio::null());
        for var in ZIG_SCRUBBED_ENV {
            command.env_remove(var);
        }
        Ok(command)
    }

    fn zig(&self) -> Result<&Zig> {
        self.zig
            .as_ref()
            .map_err(|why| Error::Usage(format!("no usable zig: {why}")))
    }
}

impl Backend for ZigBackend {
    fn name(&self) -> &str {
        "zig"
    }

    fn priority(&self) -> i32 {
        10
    }

    fn version(&self) -> std::result::Result<String, String> {
        self.zig
            .as_ref()
            .map(|z| z.version.clone())
            .map_err(Clone::clone)
    }

    fn requirements(&self) -> Vec<String> {
        match &self.zig {
            Ok(_) => Vec::new(),
            Err(_) => vec![ZIGLANG_REQUIREMENT.to_string()],
        }
    }

    fn fingerprint(&self) -> String {
        serde_json::json!({"zig": self.zig.as_ref().ok(), "build_zig": build_zig_hash()})
            .to_string()
    }

    fn zig(&self) -> Option<&Zig> {
        self.zig.as_ref().ok()
    }

    fn build_file(&self) -> &str {
        "build.zig"
    }

    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()> {
        let lib = self
            .zig
            .as_ref()
            .ok()
            .and_then(|z| z.path.parent())
            .map(|dir| dir.join("lib"));
        let json = serde_json::to_string_pretty(&ZigGraph::new(graph, env.jobs, lib.as_deref()))
            .expect("the graph serializes");
        // The JSON first: a build file on disk means its graph is there too.
        for (name, text) in [(GRAPH_JSON, json.as_str()), (self.build_file(), BUILD_ZIG)] {
            let path = env.work_dir.join(name);
            std::fs::write(&path, text).context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }

    fn warmups(&self, graph: &BuildGraph) -> Vec<Warmup> {
        self.zig
            .as_ref()
            .map(|zig| warmup::pending(zig, graph, true))
            .unwrap_or_default()
    }

    fn rebuild_command(&self, env: &BuildEnv, graph: &BuildGraph) -> Option<Command> {
        self.command(env, graph, None).ok()
    }

    fn run(&self, env: &BuildEnv, graph: &BuildGraph, only: Option<&[&str]>) -> Result<()> {
        let zig = self.zig()?;
        configure_cache::seed(zig, &env.work_dir.join("zig-cache"), env.verbose);
        let mut command = self.command(env, graph, only)?;
        if env.verbose {
            command.arg("--verbose-cc");
            eprintln!("zlig: running {}", show_command(&command));
        }
        let output = crate::compile::process::output(&mut command)
            .context(|| format!("running {}", zig.path.display()))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if env.verbose && output.status.success() {
            for command in compile_commands(&stderr, &zig.path) {
                eprintln!("zlig: compiled: {command}");
            }
        }
        if !output.status.success() {
            return Err(Error::Compile(format!(
                "compiling the extensions failed:\n{}\ncommand: {}",
                stderr.trim_end(),
                show_command(&command)
            )));
        }
        Ok(())
    }
}

/// The compiler commands in `zig build --verbose-cc` output, which zig prints as `error:`
/// blocks in its step tree even on success; zig's own libc sources are left out.
fn compile_commands<'a>(stderr: &'a str, zig: &Path) -> Vec<&'a str> {
    let zig = zig.to_string_lossy();
    stderr
        .lines()
        .map(|line| line.trim_start_matches("error:").trim())
        .filter(|line| {
            // `<zig> clang <source> <flags…>`: skip zig's own libc sources.
            let source = line.split_whitespace().nth(2).unwrap_or("");
            line.starts_with(zig.as_ref()) && !source.contains("/lib/libc/")
        })
        .collect()
}

/// The 0.17 names of the optimize modes (the old ones go away after 0.18).
fn optimize_name(optimize: Optimize) -> &'static str {
    match optimize {
        Optimize::Debug => "debug",
        Optimize::ReleaseSafe => "safe",
        Optimize::ReleaseFast => "fast",
        Optimize::ReleaseSmall => "small",
    }
}

fn show_command(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains([' ', '"', '\'']) {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `graph.json`: what `graph_build.zig` reads.
#[derive(Serialize)]
struct ZigGraph {
    project_root: PathBuf,
    python_include: PathBuf,
    strip: bool,
    sanitize_c: bool,
    extensions: Vec<ZigExtension>,
}

#[derive(Serialize)]
struct ZigExtension {
    name: String,
    leaf: String,
    output: String,
    version_script: String,
    root: Option<String>,
    chunks: Vec<Vec<String>>,
    flags: Vec<String>,
    include_dirs: Vec<PathBuf>,
    cxx: bool,
    link: Vec<ZigLink>,
}

#[derive(Serialize)]
struct ZigLink {
    kind: &'static str,
    value: String,
}

impl ZigGraph {
    /// The graph, with each extension's sources in at most `jobs` objects.
    fn new(graph: &BuildGraph, jobs: usize, zig_lib: Option<&Path>) -> Self {
        Self {
            project_root: graph.root.clone(),
            python_include: graph.target.include_dir.clone(),
            strip: graph.strip,
            sanitize_c: graph.optimize == Optimize::Debug,
            extensions: graph
                .extensions
                .iter()
                .map(|ext| ZigExtension::new(graph, ext, jobs, zig_lib))
                .collect(),
        }
    }
}

impl ZigExtension {
    fn new(graph: &BuildGraph, ext: &Extension, jobs: usize, zig_lib: Option<&Path>) -> Self {
        let mut flags = ext.compile_flags(graph.optimize);
        if let Some(lib) = zig_lib.filter(|_| graph.optimize.keeps_debug_info()) {
            flags.extend(debug_path_maps(&[(lib, "zig")]));
        }
        let (roots, sources): (Vec<String>, Vec<String>) = ext
            .sources
            .iter()
            .map(|s| slash_path(s))
            .partition(|s| s.ends_with(".zig"));
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        Self {
            name: ext.name.clone(),
            leaf: ext.leaf.clone(),
            output: slash_path(&ext.output),
            version_script: format!("{{ global: PyInit_{}; local: *; }};\n", ext.leaf),
            root: roots.into_iter().next(),
            chunks: chunks(&sources, jobs)
                .into_iter()
                .map(<[String]>::to_vec)
                .collect(),
            flags,
            include_dirs: ext.include_dirs.clone(),
            cxx: ext.language == Language::Cxx,
            link: ext
                .link
                .iter()
                .map(|input| match input {
                    LinkInput::LibraryDir(dir) => ("LibraryDir", path(dir)),
                    LinkInput::Library(name) => ("Library", name.clone()),
                    LinkInput::RPath(rpath) => ("RPath", rpath.clone()),
                    LinkInput::File(file) => ("File", path(file)),
                })
                .map(|(kind, value)| ZigLink { kind, value })
                .collect(),
        }
    }
}

/// Splits `files` into at most `jobs` contiguous chunks of near-equal length.
fn chunks<T>(files: &[T], jobs: usize) -> Vec<&[T]> {
    let count = jobs.clamp(1, files.len().max(1));
    let size = files.len().div_ceil(count).max(1);
    files.chunks(size).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_support::{assert_snapshot, sample_graph as graph};

    fn graph_json(graph: &BuildGraph, jobs: usize) -> serde_json::Value {
        serde_json::to_value(ZigGraph::new(graph, jobs, None)).unwrap()
    }

    #[test]
    fn graph_json_for_one_source() {
        let actual = serde_json::to_string_pretty(&graph_json(&graph(&["src/demo/speedups.c"]), 2))
            .unwrap()
            + "\n";
        assert_snapshot("one_source.graph.json", &actual);
    }

    #[test]
    fn sources_are_split_into_one_object_per_job_and_zig_roots_kept_apart() {
        let json = graph_json(&graph(&["a.c", "b.c", "m.zig", "c.c"]), 2);
        let ext = &json["extensions"][0];
        assert_eq!(ext["chunks"], serde_json::json!([["a.c", "b.c"], ["c.c"]]));
        assert_eq!(ext["root"], "m.zig");
    }

    #[test]
    fn the_build_file_reads_every_field_the_graph_has() {
        let json = graph_json(&graph(&["a.c"]), 2);
        let fields = json
            .as_object()
            .unwrap()
            .keys()
            .chain(json["extensions"][0].as_object().unwrap().keys());
        for field in fields {
            assert!(
                BUILD_ZIG.contains(&format!("    {field}: ")),
                "graph_build.zig does not declare `{field}`"
            );
        }
    }

    #[test]
    fn a_new_build_file_changes_the_fingerprint() {
        let backend = ZigBackend::new(Err("no zig".into()));
        assert!(backend.fingerprint().contains(&build_zig_hash()));
    }

    #[test]
    fn chunks_cover_every_file_once() {
        let files: Vec<u32> = (0..41).collect();
        let parts = chunks(&files, 2);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts.concat(), files);
        assert_eq!(chunks(&files[..1], 4).len(), 1);
        assert_eq!(chunks::<u32>(&[], 4).len(), 0);
    }

    #[test]
    fn verbose_output_keeps_only_the_project_compile_commands() {
        let stderr = "install\n+- install _native\nerror: /z/zig clang /p/a.c -isystem /z/lib/libc/include -c -o x.o\n       /z/zig clang /z/lib/libc/glibc/atexit.c\n       \n";
        assert_eq!(
            compile_commands(stderr, Path::new("/z/zig")),
            ["/z/zig clang /p/a.c -isystem /z/lib/libc/include -c -o x.o"]
        );
    }
}
