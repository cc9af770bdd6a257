//! The `zig` backend: runs `zig build` on zlig's own `build.zig` (`graph_build.zig`) and a
//! `graph.json` that describes the project (the graph's one JSON schema).
//!
//! The build file is the same for every project and only the JSON differs, so zig's
//! configure step (the build file compiled into an executable, 2 s) is compiled once per
//! machine and copied into each new build dir (`configure_cache`), instead of once per
//! checkout. The build keeps ARCHITECTURE.md's "Zig facts": an explicit target, path maps
//! (`path_maps`), no UBSan outside `Debug`, stripped output (in `Debug`, only the runtime
//! libraries), libc linked, only the module's exports visible (version script), undefined
//! `Py*` symbols allowed. Sources of one extension are split into one object per job,
//! because a single compile step compiles its C files one after another (fact 4).

use std::path::Path;
use std::process::Command;

use crate::compile::CompileError;
use crate::compile::backend::{Backend, BuildEnv, Unusable};
use crate::compile::configure_cache;
use crate::compile::cython;
use crate::compile::diagnostics;
use crate::compile::graph::BuildGraph;
use crate::compile::path_maps::{self, UBSAN_PATH_FLAGS};
use crate::compile::toolchain::{NotFound, ZIGLANG_REQUIREMENT, Zig};
use crate::compile::warmup::{self, Warmup};
use crate::compile::zig_manifests::BuildStart;
use crate::error::{IoContext, Result};
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
    zig: std::result::Result<Zig, NotFound>,
}

impl ZigBackend {
    pub fn new(zig: std::result::Result<Zig, NotFound>) -> Self {
        Self { zig }
    }

    fn zig(&self) -> Result<&Zig> {
        self.zig.as_ref().map_err(|why| why.for_backend("zig"))
    }

    /// `zig build` on the written build file: every extension, or the steps of `only`.
    fn command(
        &self,
        env: &BuildEnv,
        graph: &BuildGraph,
        only: Option<&[&str]>,
    ) -> Result<Command> {
        let mut command = self.zig()?.command();
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
            .arg(format!("-Djobs={}", env.jobs))
            .arg(format!("-Doptimize={}", optimize_name(graph.optimize)))
            .arg(format!("-Dtarget={}", graph.target.zig_triple))
            .arg(format!("-j{}", env.jobs + 1))
            .args(["--summary", "none"])
            .args(only.unwrap_or_default())
            .current_dir(&env.work_dir);
        Ok(command)
    }
}

impl Backend for ZigBackend {
    fn name(&self) -> &str {
        "zig"
    }

    fn priority(&self) -> i32 {
        10
    }

    fn version(&self) -> std::result::Result<String, Unusable> {
        match &self.zig {
            Ok(zig) => Ok(format!("zig {}", zig.version)),
            Err(why) => Err(Unusable::Tools(why.0.clone())),
        }
    }

    fn supports(&self, graph: &BuildGraph) -> std::result::Result<(), Unusable> {
        // zig's depfile parser takes a `:` in a source's name for the end of the target.
        let sources = graph
            .extensions
            .iter()
            .flat_map(|e| e.sources.iter().chain(e.cython.iter().map(|s| &s.source)));
        match sources
            .into_iter()
            .find(|s| s.to_string_lossy().contains(':'))
        {
            Some(file) => Err(Unusable::FileName {
                file: file.clone(),
                backend: "zig".into(),
            }),
            None => Ok(()),
        }
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

    fn translates_cython(&self) -> bool {
        true
    }

    fn build_file(&self) -> &str {
        "build.zig"
    }

    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()> {
        let zig = self.zig()?;
        let graph = graph.relocated(env.link_project(&graph.root)?);
        let mut flags = path_maps::flags(&graph, Some(zig));
        if graph.optimize.keeps_debug_info() {
            flags.extend(UBSAN_PATH_FLAGS.map(String::from));
        }
        let json = graph.with_compile_flags(&flags).to_json();
        env.write_version_scripts(&graph)?;
        if graph.cython.is_some() {
            cython::write_step(env)?;
        }
        env.write_cxx_support(&graph)?;
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
        env.link_project(&graph.root)?;
        configure_cache::seed(zig, &env.work_dir.join("zig-cache"), env.verbose);
        let mut command = self.command(env, graph, only)?;
        // Not part of `command`: an editable install's rebuild passes its own.
        if let Some(tool) = &graph.cython {
            command.env(cython::SEARCH_PATH_VAR, cython::search_path(tool));
        }
        if env.verbose {
            command.arg("--verbose-cc");
            eprintln!("zlig: running {}", show_command(&command));
        }
        let started = BuildStart::stamp(&env.work_dir);
        let output = crate::compile::process::output(&mut command)?;
        if let Some(started) = started {
            started.forget_edited(&env.work_dir);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if env.verbose && output.status.success() {
            for command in compile_commands(&stderr, &zig.path) {
                eprintln!("zlig: compiled: {command}");
            }
        }
        if !output.status.success() {
            return Err(CompileError::Failed {
                output: diagnostics::user_paths(stderr.trim_end(), &env.work_dir),
                command: Some(show_command(&command)),
            }
            .into());
        }
        Ok(())
    }
}

/// The compiler commands in `zig build --verbose-cc` output, which zig prints as `error:`
/// blocks in its step tree even on success; zig's own libc sources are left out.
fn compile_commands<'a>(stderr: &'a str, zig: &Path) -> Vec<&'a str> {
    // zig names itself by its real path: a zig reached through a link (a venv in a linked
    // folder) prints another path than the one zlig ran.
    let real = std::fs::canonicalize(zig).unwrap_or_else(|_| zig.to_path_buf());
    let names = [zig.to_string_lossy(), real.to_string_lossy()];
    stderr
        .lines()
        .map(|line| line.trim_start_matches("error:").trim())
        .filter(|line| {
            // `<zig> clang <source> <flags…>`: skip zig's own libc sources.
            let source = line.split_whitespace().nth(2).unwrap_or("");
            names.iter().any(|zig| line.starts_with(zig.as_ref())) && !source.contains("/lib/libc/")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_support::sample_graph;

    #[test]
    fn the_build_file_reads_the_graph_fields_it_declares() {
        let json: serde_json::Value =
            serde_json::from_str(&sample_graph(&["a.c"]).to_json()).unwrap();
        let ext = &json["extensions"][0];
        for (value, field) in [
            (&json, "root"),
            (&json, "strip"),
            (&json["target"], "include_dir"),
            (ext, "name"),
            (ext, "leaf"),
            (ext, "output"),
            (ext, "language"),
            (ext, "sources"),
            (ext, "include_dirs"),
            (ext, "compile_flags"),
            (ext, "link"),
        ] {
            assert!(!value[field].is_null(), "the graph has no `{field}`");
            assert!(
                BUILD_ZIG.contains(&format!("    {field}: ")),
                "graph_build.zig does not declare `{field}`"
            );
        }
    }

    #[test]
    fn verbose_output_names_a_zig_reached_through_a_link_by_its_real_path() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("zig");
        std::fs::write(&real, "").unwrap();
        let link = dir.path().join("venv");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let real = std::fs::canonicalize(&real).unwrap();
        let line = format!("{} clang /p/a.c -c -o x.o", real.display());
        let stderr = format!("error: {line}\n");
        assert_eq!(
            compile_commands(&stderr, &link.join("zig")),
            [line.as_str()]
        );
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
