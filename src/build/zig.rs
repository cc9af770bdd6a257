//! The `zig` backend: writes a `build.zig` for the graph and runs `zig build` on it.
//!
//! The generated file follows ZIG.md: an explicit target, no UBSan traps outside `Debug`,
//! stripped output, libc linked, only `PyInit_<name>` exported (version script), undefined
//! `Py*` symbols allowed. Sources of one extension are split into one object per job,
//! because a single compile step compiles its C files one after another (ZIG.md §4).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::build::backend::{Backend, BuildEnv};
use crate::build::graph::{BuildGraph, Extension, Language, LinkInput, debug_path_maps};
use crate::build::toolchain::{ZIG_SCRUBBED_ENV, ZIGLANG_REQUIREMENT, Zig};
use crate::build::warmup::{self, Warmup};
use crate::error::{Error, IoContext, Result};
use crate::project::settings::Optimize;

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
        serde_json::to_string(&self.zig.as_ref().ok()).expect("zig facts serialize")
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
        let text = generate(graph, env.jobs, lib.as_deref());
        let path = env.work_dir.join(self.build_file());
        std::fs::write(&path, text).context(|| format!("writing {}", path.display()))
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
        let mut command = self.command(env, graph, only)?;
        if env.verbose {
            command.arg("--verbose-cc");
            eprintln!("zlig: running {}", show_command(&command));
        }
        let output = crate::build::process::output(&mut command)
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

/// A Zig string literal.
fn zig_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn zig_path(path: &Path) -> String {
    zig_string(&path.to_string_lossy())
}

fn zig_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(zig_string).collect();
    if items.is_empty() {
        "&.{}".into()
    } else {
        format!("&.{{ {} }}", items.join(", "))
    }
}

/// Splits `files` into at most `jobs` contiguous chunks of near-equal length.
fn chunks<T>(files: &[T], jobs: usize) -> Vec<&[T]> {
    let count = jobs.clamp(1, files.len().max(1));
    let size = files.len().div_ceil(count).max(1);
    files.chunks(size).collect()
}

/// The `build.zig` text for `graph`, compiling with `jobs` parallel objects per extension.
pub fn generate(graph: &BuildGraph, jobs: usize, zig_lib: Option<&Path>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by zlig {} from pyproject.toml. Do not edit: it is rewritten when the project changes.",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("const std = @import(\"std\");\n\n");
    let _ = writeln!(out, "const project_root = {};", zig_path(&graph.root));
    let _ = writeln!(
        out,
        "const python_include = {};",
        zig_path(&graph.target.include_dir)
    );
    let _ = writeln!(out, "const strip = {};", graph.strip);
    out.push_str(
        "\npub fn build(b: *std.Build) void {\n    const target = b.standardTargetOptions(.{});\n    const optimize = b.standardOptimizeOption(.{});\n    const exports = b.addWriteFiles();\n",
    );
    for ext in &graph.extensions {
        write_extension(&mut out, graph, ext, jobs, zig_lib);
    }
    out.push_str("}\n\n");
    out.push_str(
        UNIT_FN
            .replace("{SANITIZE}", sanitize_line(graph.optimize))
            .as_str(),
    );
    out
}

/// `Debug` keeps zig's default (UBSan on); release modes must not trap (ZIG.md pitfall 6).
fn sanitize_line(optimize: Optimize) -> &'static str {
    if optimize == Optimize::Debug {
        ""
    } else {
        "\n        .sanitize_c = .off,"
    }
}

const UNIT_FN: &str = r##"/// The sources, flags and include dirs of one compile unit.
const Unit = struct {
    /// A Zig root source file, relative to `project_root`; it can `@import("python")`.
    root: ?[]const u8 = null,
    files: []const []const u8,
    flags: []const []const u8,
    include_dirs: []const []const u8,
    cxx: bool,
};

/// A module compiling `unit` for a shared library: files must be relative to `.root`.
fn unitModule(b: *std.Build, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, unit: Unit) *std.Build.Module {
    const module = b.createModule(.{
        .root_source_file = if (unit.root) |root| b.graph.cwdRelativePath(b.pathJoin(&.{ project_root, root })) else null,
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .link_libcpp = unit.cxx,
        .strip = strip,{SANITIZE}
        .pic = true,
    });
    for (unit.include_dirs) |dir| module.addIncludePath(b.graph.cwdRelativePath(dir));
    module.addSystemIncludePath(b.graph.cwdRelativePath(python_include));
    if (unit.files.len > 0) {
        module.addCSourceFiles(.{ .root = b.graph.cwdRelativePath(project_root), .files = unit.files, .flags = unit.flags });
    }
    if (unit.root != null) {
        // @cImport is gone in zig 0.17: Python.h reaches Zig code through translate-c.
        const header = b.addWriteFiles().add("python.h", "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n");
        const python = b.addTranslateC(.{ .root_source_file = header, .target = target, .optimize = optimize });
        for (unit.include_dirs) |dir| python.addIncludePath(b.graph.cwdRelativePath(dir));
        python.addSystemIncludePath(b.graph.cwdRelativePath(python_include));
        // translate-c takes only preprocessor flags.
        for (unit.flags) |flag| {
            if (std.mem.startsWith(u8, flag, "-D") or std.mem.startsWith(u8, flag, "-U")) python.addCFlags(&.{flag});
        }
        module.addImport("python", python.createModule());
    }
    return module;
}
"##;

fn write_extension(
    out: &mut String,
    graph: &BuildGraph,
    ext: &Extension,
    jobs: usize,
    zig_lib: Option<&Path>,
) {
    let mut flags = ext.compile_flags(graph.optimize);
    if let Some(lib) = zig_lib.filter(|_| graph.optimize.keeps_debug_info()) {
        flags.extend(debug_path_maps(&[(lib, "zig")]));
    }
    let includes: Vec<String> = ext
        .include_dirs
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    let (roots, sources): (Vec<String>, Vec<String>) = ext
        .sources
        .iter()
        .map(|s| crate::project::files::slash_path(s))
        .partition(|s| s.ends_with(".zig"));
    let cxx = ext.language == Language::Cxx;
    let _ = writeln!(out, "\n    // {}", ext.name);
    out.push_str("    {\n");
    let _ = writeln!(
        out,
        "        const flags = {};",
        zig_list(flags.iter().map(String::as_str))
    );
    let _ = writeln!(
        out,
        "        const include_dirs = {};",
        zig_list(includes.iter().map(String::as_str))
    );
    let parts = chunks(&sources, jobs);
    let unit = |root: Option<&String>, files: &[String]| {
        let root = root
            .map(|r| format!(".root = {}, ", zig_string(r)))
            .unwrap_or_default();
        format!(
            "unitModule(b, target, optimize, .{{ {root}.files = {}, .flags = flags, .include_dirs = include_dirs, .cxx = {cxx} }})",
            zig_list(files.iter().map(String::as_str))
        )
    };
    if parts.len() <= 1 {
        let _ = writeln!(
            out,
            "        const module = {};",
            unit(roots.first(), &sources)
        );
    } else {
        let _ = writeln!(out, "        const module = {};", unit(roots.first(), &[]));
        for (i, part) in parts.iter().enumerate() {
            let _ = writeln!(
                out,
                "        module.addObject(b.addObject(.{{ .name = {}, .root_module = {} }}));",
                zig_string(&format!("{}_{i}", ext.leaf)),
                unit(None, part)
            );
        }
    }
    for input in &ext.link {
        let line = match input {
            LinkInput::LibraryDir(dir) => format!(
                "module.addLibraryPath(b.graph.cwdRelativePath({}));",
                zig_path(dir)
            ),
            LinkInput::Library(name) => {
                format!("module.linkSystemLibrary({}, .{{}});", zig_string(name))
            }
            LinkInput::RPath(path) => format!("module.addRPathSpecial({});", zig_string(path)),
            LinkInput::File(file) => format!(
                "module.addObjectFile(b.graph.cwdRelativePath({}));",
                zig_path(file)
            ),
        };
        let _ = writeln!(out, "        {line}");
    }
    let _ = writeln!(
        out,
        "        const lib = b.addLibrary(.{{ .name = {}, .linkage = .dynamic, .root_module = module }});",
        zig_string(&ext.leaf)
    );
    let _ = writeln!(
        out,
        "        lib.setVersionScript(exports.add({}, {}));",
        zig_string(&format!("{}.map", ext.name)),
        zig_string(&format!("{{ global: PyInit_{}; local: *; }};\n", ext.leaf))
    );
    out.push_str("        lib.linker_allow_shlib_undefined = true;\n");
    let _ = writeln!(
        out,
        "        const install = b.addInstallArtifact(lib, .{{ .dest_dir = .{{ .override = .prefix }}, .dest_sub_path = {} }});",
        zig_string(&crate::project::files::slash_path(&ext.output))
    );
    out.push_str("        b.getInstallStep().dependOn(&install.step);\n");
    // A step per extension, so that optional ones can be built one at a time.
    let _ = writeln!(
        out,
        "        b.step({}, \"Build {}\").dependOn(&install.step);",
        zig_string(&ext.name),
        ext.name
    );
    out.push_str("    }\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::graph::Macro;
    use crate::target::{Target, tests::cpython311};
    use std::path::PathBuf;

    fn graph(sources: &[&str]) -> BuildGraph {
        BuildGraph {
            root: "/p".into(),
            target: Target::resolve(&cpython311(), None).unwrap(),
            optimize: Optimize::ReleaseFast,
            strip: true,
            extensions: vec![Extension {
                name: "demo._speedups".into(),
                leaf: "_speedups".into(),
                output: "demo/_speedups.cpython-311-x86_64-linux-gnu.so".into(),
                language: Language::C,
                sources: sources.iter().map(PathBuf::from).collect(),
                include_dirs: vec!["/p/include".into()],
                macros: vec![Macro {
                    name: "VERSION".into(),
                    value: Some("\"1.2\"".into()),
                }],
                undef_macros: vec!["NDEBUG".into()],
                compile_args: vec![],
                link: vec![LinkInput::Library("m".into())],
                depends: vec![],
                limited_api: None,
                optional: false,
            }],
        }
    }

    #[test]
    fn build_zig_for_one_source() {
        let actual = generate(&graph(&["src/demo/speedups.c"]), 2, None);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/build/snapshots/one_source.build.zig"
        );
        // UPDATE_SNAPSHOTS=1 cargo test rewrites the expected file; review it in the diff.
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(path, &actual).unwrap();
        }
        assert_eq!(actual, std::fs::read_to_string(path).unwrap());
    }

    #[test]
    fn sources_are_split_into_one_object_per_job() {
        let text = generate(&graph(&["a.c", "b.c", "c.c"]), 2, None);
        assert!(text.contains(r#"module.addObject(b.addObject(.{ .name = "_speedups_0", .root_module = unitModule(b, target, optimize, .{ .files = &.{ "a.c", "b.c" }"#), "{text}");
        assert!(text.contains(r#".name = "_speedups_1", .root_module = unitModule(b, target, optimize, .{ .files = &.{ "c.c" }"#), "{text}");
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

    #[test]
    fn zig_strings_escape_quotes_and_backslashes() {
        assert_eq!(zig_string("a\"b\\c\n"), r#""a\"b\\c\n""#);
    }
}
