//! The ninja backends: a generated `build.ninja` that compiles each source on its own and
//! links each extension, run by `ninja`.
//!
//! Two compilers drive the same file: `zig cc`/`zig c++` for portable wheels (backend
//! `ninja`), and the platform's `CC`/`CXX` (backend `cc`), for those who prefer their system
//! toolchain; the ELF audit still decides the wheel's tag. Calling the compiler directly
//! skips `zig build`'s one-time build-runner compile (ARCHITECTURE.md, "Zig facts", 5),
//! and ninja's depfiles rebuild exactly the objects whose sources or headers changed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::compile::CompileError;
use crate::compile::backend::{Backend, BuildEnv, CXX_TERMINATE_FILE, Unusable};
use crate::compile::graph::{BuildGraph, Extension, LinkInput, debug_path_maps};
use crate::compile::toolchain::{
    NINJA_REQUIREMENT, Ninja, NotFound, PlatformCompiler, ZIGLANG_REQUIREMENT, Zig, zig_environment,
};
use crate::compile::warmup::{self, Warmup};
use crate::error::{IoContext, Result};
use crate::project::extension::Language;
use crate::project::settings::Optimize;

/// The compiler a ninja file drives.
#[derive(Debug, Clone, serde::Serialize)]
pub enum Compiler {
    /// `zig cc` and `zig c++` for the graph's target.
    Zig(Zig),
    /// The platform's own compilers, for the machine itself.
    Platform(PlatformCompiler),
}

/// A backend that writes `build.ninja`.
pub struct NinjaBackend {
    name: &'static str,
    priority: i32,
    ninja: Found<Ninja>,
    compiler: Found<Compiler>,
}

type Found<T> = std::result::Result<T, NotFound>;

impl NinjaBackend {
    /// `ninja`: ninja driving `zig cc`.
    pub fn zig(ninja: Found<Ninja>, zig: Found<Zig>) -> Self {
        Self::with("ninja", 20, ninja, zig.map(Compiler::Zig))
    }

    /// `cc`: ninja driving the platform compiler. Used only when named (priority 0), since
    /// its wheels are portable only when the audit says so.
    pub fn platform(ninja: Found<Ninja>, compiler: Found<PlatformCompiler>) -> Self {
        Self::with("cc", 0, ninja, compiler.map(Compiler::Platform))
    }

    fn with(
        name: &'static str,
        priority: i32,
        ninja: Found<Ninja>,
        compiler: Found<Compiler>,
    ) -> Self {
        Self {
            name,
            priority,
            ninja,
            compiler,
        }
    }

    /// `ninja` on the written build file (or on the modules of `only`), with zig's leaky
    /// environment variables removed when zig compiles.
    fn command(
        &self,
        env: &BuildEnv,
        graph: &BuildGraph,
        only: Option<&[&str]>,
    ) -> Result<Command> {
        let ninja = self
            .ninja
            .as_ref()
            .map_err(|why| why.for_backend(self.name))?;
        let mut command = Command::new(&ninja.path);
        command
            .arg("-C")
            .arg(&env.work_dir)
            .arg(format!("-j{}", env.jobs));
        for name in only.unwrap_or_default() {
            if let Some(ext) = graph.extensions.iter().find(|e| e.name == *name) {
                command.arg(Path::new(OUT).join(&ext.output));
            }
        }
        if self.zig().is_some() {
            zig_environment(&mut command);
            command.env("ZIG_LOCAL_CACHE_DIR", env.work_dir.join("zig-cache"));
        }
        Ok(command)
    }
}

impl Backend for NinjaBackend {
    fn name(&self) -> &str {
        self.name
    }

    fn priority(&self) -> i32 {
        self.priority
    }

    fn version(&self) -> std::result::Result<String, Unusable> {
        match (&self.ninja, &self.compiler) {
            (Ok(ninja), Ok(Compiler::Zig(zig))) => {
                Ok(format!("{} with zig {}", ninja.version, zig.version))
            }
            (Ok(ninja), Ok(Compiler::Platform(cc))) => {
                Ok(format!("{} with {}", ninja.version, cc.version))
            }
            (ninja, compiler) => Err(Unusable::Tools(
                [ninja.as_ref().err(), compiler.as_ref().err()]
                    .into_iter()
                    .flatten()
                    .flat_map(|missing| missing.0.iter().cloned())
                    .collect(),
            )),
        }
    }

    fn supports(&self, graph: &BuildGraph) -> std::result::Result<(), Unusable> {
        if let Some(ext) = graph
            .extensions
            .iter()
            .find(|e| e.language == Language::Zig)
        {
            return Err(Unusable::Zig {
                extension: ext.name.clone(),
                backend: self.name.to_string(),
            });
        }
        if matches!(self.compiler, Ok(Compiler::Platform(_))) && !graph.target.native {
            return Err(Unusable::CrossTarget(graph.target.zig_triple.clone()));
        }
        let files = graph
            .extensions
            .iter()
            .flat_map(|e| e.sources.iter().chain(&e.depends));
        if let Some(file) = files
            .into_iter()
            .find(|f| f.to_string_lossy().contains(NINJA_UNSAFE))
        {
            return Err(Unusable::FileName {
                file: file.clone(),
                backend: self.name.to_string(),
            });
        }
        Ok(())
    }

    fn requirements(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.compiler.is_err() && self.name == "ninja" {
            missing.push(ZIGLANG_REQUIREMENT.to_string());
        }
        if self.ninja.is_err() {
            missing.push(NINJA_REQUIREMENT.to_string());
        }
        missing
    }

    fn fingerprint(&self) -> String {
        serde_json::to_string(&(self.ninja.as_ref().ok(), self.compiler.as_ref().ok()))
            .expect("tool facts serialize")
    }

    fn zig(&self) -> Option<&Zig> {
        match &self.compiler {
            Ok(Compiler::Zig(zig)) => Some(zig),
            _ => None,
        }
    }

    fn build_file(&self) -> &str {
        "build.ninja"
    }

    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()> {
        let compiler = self
            .compiler
            .as_ref()
            .map_err(|why| why.for_backend(self.name))?;
        let graph = graph.relocated(env.link_project(&graph.root)?);
        let text = generate(&graph, compiler);
        env.write_version_scripts(&graph)?;
        if self.zig().is_some() {
            env.write_cxx_support(&graph)?;
        }
        let path = env.work_dir.join(self.build_file());
        std::fs::write(&path, text).context(|| format!("writing {}", path.display()))
    }

    fn warmups(&self, graph: &BuildGraph) -> Vec<Warmup> {
        self.zig()
            .map(|zig| warmup::pending(zig, graph, false))
            .unwrap_or_default()
    }

    fn rebuild_command(&self, env: &BuildEnv, graph: &BuildGraph) -> Option<Command> {
        self.command(env, graph, None).ok()
    }

    fn run(&self, env: &BuildEnv, graph: &BuildGraph, only: Option<&[&str]>) -> Result<()> {
        env.link_project(&graph.root)?;
        let mut command = self.command(env, graph, only)?;
        if env.verbose {
            command.arg("-v");
        }
        let output = crate::compile::process::output(&mut command)?;
        let text =
            String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(CompileError::Failed {
                output: text.trim_end().to_string(),
                command: None,
            }
            .into());
        }
        if env.verbose {
            eprint!("{text}");
        }
        Ok(())
    }
}

/// The flags among `flags` that map build paths in debug info.
fn path_maps(flags: &[String]) -> impl Iterator<Item = &str> {
    flags
        .iter()
        .map(String::as_str)
        .filter(|f| f.starts_with("-fdebug-compilation-dir") || f.starts_with("-ffile-prefix-map"))
}

/// A word for a POSIX shell command line (ninja runs commands with `/bin/sh -c`), then
/// escaped for ninja, which gives `$` its own meaning.
fn word(text: &str) -> String {
    let quoted = shlex::try_quote(text).map_or_else(|_| text.to_string(), |q| q.into_owned());
    quoted.replace('$', "$$")
}

fn words<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(word).collect::<Vec<_>>().join(" ")
}

/// A path in a `build` line, where ninja needs `$`, space and `:` escaped.
fn build_path(path: &Path) -> String {
    path.to_string_lossy()
        .replace('$', "$$")
        .replace(' ', "$ ")
        .replace(':', "$:")
}

/// The optimization and debug flags of a mode, for clang-compatible compilers.
fn optimize_flags(optimize: Optimize, zig: bool) -> Vec<&'static str> {
    let mut flags = match optimize {
        Optimize::Debug => vec!["-O0", "-g"],
        Optimize::ReleaseSafe | Optimize::ReleaseFast => vec!["-O2"],
        Optimize::ReleaseSmall => vec!["-Os"],
    };
    // zig cc turns UBSan on by default; release modes must not trap (ARCHITECTURE.md, "Zig facts", 2).
    if zig && optimize != Optimize::Debug {
        flags.push("-fno-sanitize=undefined");
    }
    flags
}

/// Characters a file name inside the project may not hold for ninja: its build lines
/// cannot escape them, or the depfile parser splits paths at them.
const NINJA_UNSAFE: &[char] = &['|', ';', '\'', '"', '\\', '*', '&', '?', '<', '>', '^', '`'];

/// Where modules land, relative to the backend's folder (`BuildEnv::out_dir`).
const OUT: &str = "out";

/// The `build.ninja` text for `graph`, whose root is the backend's link to the project:
/// every path in it is relative to the backend's folder, where ninja runs.
pub fn generate(graph: &BuildGraph, compiler: &Compiler) -> String {
    let (cc, cxx, target): (String, String, Vec<String>) = match compiler {
        Compiler::Zig(zig) => {
            let zig = zig.path.to_string_lossy();
            (
                words([zig.as_ref(), "cc"]),
                words([zig.as_ref(), "c++"]),
                vec!["-target".into(), graph.target.zig_triple.clone()],
            )
        }
        Compiler::Platform(platform) => (
            words(platform.cc.iter().map(String::as_str)),
            words(platform.cxx.iter().map(String::as_str)),
            Vec::new(),
        ),
    };
    let zig = matches!(compiler, Compiler::Zig(_));
    let mut common: Vec<String> = target.clone();
    common.extend(
        optimize_flags(graph.optimize, zig)
            .iter()
            .map(|f| f.to_string()),
    );
    common.push("-fPIC".into());
    if let Compiler::Zig(zig) = compiler
        && graph.optimize.keeps_debug_info()
    {
        common.extend(debug_path_maps(&[(zig.lib_dir().as_path(), "zig")]));
    }
    common.push("-isystem".into());
    common.push(graph.target.include_dir.to_string_lossy().into_owned());

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by zlig {} from pyproject.toml. Do not edit: it is rewritten when the project changes.",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("ninja_required_version = 1.5\n\n");
    let _ = writeln!(out, "cc = {cc}");
    let _ = writeln!(out, "cxx = {cxx}");
    let _ = writeln!(out, "common = {}", words(common.iter().map(String::as_str)));
    let _ = writeln!(out, "target = {}", words(target.iter().map(String::as_str)));
    out.push_str(NINJA_RULES);
    for ext in &graph.extensions {
        write_extension(&mut out, graph, ext, zig);
    }
    out
}

// `-MMD`: the depfiles list the project's headers (through its link, so relative), not
// the system ones, whose absolute paths may hold characters ninja's depfile parser splits
// at; those change only with the toolchain or Python, which the snapshot follows. The link
// takes its objects from a response file: 10,000 objects exceed the kernel's limit on one
// argument (`sh -c '…'`). zig reads response files with its own quoting, so only objects,
// whose names zlig makes, go into it.
const NINJA_RULES: &str = r#"
rule cc
  command = $cc $common $flags -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = compiling $in

rule cxx
  command = $cxx $common $flags -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = compiling $in

rule link
  command = $linker $target -shared -o $out @$out.rsp $ldflags
  rspfile = $out.rsp
  rspfile_content = $in_newline
  description = linking $out
"#;

/// An object's name: its index and its source's file name with anything but
/// `[A-Za-z0-9._+-]` replaced, so that it is safe in a build line, a shell word and a
/// response file, and short enough for any file system.
fn object_name(ext: &Extension, index: usize, source: &Path) -> PathBuf {
    let file = source.file_name().unwrap_or_default().to_string_lossy();
    let safe: String = file
        .chars()
        .take(200)
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '_' | '+' | '-' => c,
            _ => '_',
        })
        .collect();
    PathBuf::from("obj")
        .join(&ext.name)
        .join(format!("{index}-{safe}.o"))
}

/// One extension's compile and link lines; `zig`: compiled by zig, whose C++ modules get
/// zlig's terminate handler (a platform compiler's shared libstdc++ prints the exception
/// already, and its handler is the whole process's).
fn write_extension(out: &mut String, graph: &BuildGraph, ext: &Extension, zig: bool) {
    let mut flags = ext.compile_flags.clone();
    for dir in &ext.include_dirs {
        flags.push(format!("-I{}", dir.display()));
    }
    let flags = words(flags.iter().map(String::as_str));
    let _ = writeln!(out, "\n# {}", ext.name);
    // `depends` files rebuild every object of the extension; headers are in the depfiles.
    let depends: String = match ext.depends.as_slice() {
        [] => String::new(),
        files => {
            let paths: Vec<String> = files
                .iter()
                .map(|d| build_path(&graph.root.join(d)))
                .collect();
            format!(" | {}", paths.join(" "))
        }
    };
    let mut objects = Vec::new();
    for (index, source) in ext.sources.iter().enumerate() {
        let object = object_name(ext, index, source);
        let is_c = source.extension().is_some_and(|e| e == "c");
        let _ = writeln!(
            out,
            "build {}: {} {}{depends}\n  flags = {flags}",
            build_path(&object),
            if is_c { "cc" } else { "cxx" },
            build_path(&graph.root.join(source)),
        );
        objects.push(object);
    }
    if zig && ext.language == Language::Cxx {
        // Compiled with zlig's flags only: the project's (`-fno-exceptions`, `-Werror`) are
        // not meant for it; but with the maps that keep build paths out of debug info.
        let object = PathBuf::from("obj")
            .join(&ext.name)
            .join("zlig_terminate.o");
        let _ = writeln!(
            out,
            "build {}: cxx {CXX_TERMINATE_FILE}\n  flags ={}",
            build_path(&object),
            path_maps(&ext.compile_flags)
                .map(|flag| format!(" {}", word(flag)))
                .collect::<String>()
        );
        objects.push(object);
    }
    let map = PathBuf::from("exports").join(ext.version_script_name());
    let mut ldflags = vec![format!("-Wl,--version-script={}", map.display())];
    if graph.strip {
        ldflags.push("-s".into());
    }
    for input in &ext.link {
        match input {
            LinkInput::LibraryDir(dir) => ldflags.push(format!("-L{}", dir.display())),
            LinkInput::Library(name) => ldflags.push(format!("-l{name}")),
            LinkInput::RPath(path) => ldflags.push(format!("-Wl,-rpath,{path}")),
            LinkInput::File(file) => ldflags.push(file.to_string_lossy().into_owned()),
        }
    }
    let module = Path::new(OUT).join(&ext.output);
    let objects: Vec<String> = objects.iter().map(|o| build_path(o)).collect();
    let _ = writeln!(
        out,
        "build {}: link {} | {}\n  linker = {}\n  ldflags = {}",
        build_path(&module),
        objects.join(" "),
        build_path(&map),
        if ext.language == Language::Cxx {
            "$cxx"
        } else {
            "$cc"
        },
        words(ldflags.iter().map(String::as_str)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_support::sample_graph;

    /// The sample graph as a C++ extension with an rpath.
    fn graph() -> BuildGraph {
        let mut graph = sample_graph(&["src/a.c", "src/b.cpp"]);
        let ext = &mut graph.extensions[0];
        ext.language = Language::Cxx;
        ext.link.push(LinkInput::RPath("$ORIGIN".into()));
        graph
    }

    #[test]
    fn build_ninja_for_zig_cc() {
        let zig = Zig {
            path: "/z/zig".into(),
            version: "0.17.0".into(),
            origin: "ZLIG_ZIG".into(),
        };
        let actual = generate(
            &graph().relocated(Path::new("project")),
            &Compiler::Zig(zig),
        );
        insta::assert_snapshot!(actual);
    }

    #[test]
    fn words_are_quoted_for_the_shell_and_escaped_for_ninja() {
        assert_eq!(word("-DVERSION=\"1.2\""), "'-DVERSION=\"1.2\"'");
        assert_eq!(word("-Wl,-rpath,$ORIGIN"), "'-Wl,-rpath,$$ORIGIN'");
        assert_eq!(word("-O2"), "-O2");
        assert_eq!(build_path(Path::new("/a b/c:d")), "/a$ b/c$:d");
    }
}
