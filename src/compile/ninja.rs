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

use sha2::{Digest, Sha256};

use crate::compile::CompileError;
use crate::compile::backend::{Backend, BuildEnv, CXX_TERMINATE_FILE, Unusable};
use crate::compile::cython;
use crate::compile::diagnostics;
use crate::compile::graph::{BuildGraph, Extension, LinkInput};
use crate::compile::object_cache::ObjectCache;
use crate::compile::path_maps::{self, UBSAN_PATH_FLAGS};
use crate::compile::process;
use crate::compile::toolchain::{
    NINJA_REQUIREMENT, Ninja, NotFound, PlatformCompiler, ZIGLANG_REQUIREMENT, Zig, zig_environment,
};
use crate::compile::warmup::{self, Warmup};
use crate::error::{IoContext, Result};
use crate::project::extension::Language;
use crate::project::settings::Optimize;
use crate::project::text::{ControlCharacter, check_text};

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
    /// The object cache every compile goes through, if it is on.
    object_cache: Option<ObjectCache>,
}

type Found<T> = std::result::Result<T, NotFound>;

impl NinjaBackend {
    /// `ninja`: ninja driving `zig cc`.
    pub fn zig(ninja: Found<Ninja>, zig: Found<Zig>, cache: Option<ObjectCache>) -> Self {
        Self::with("ninja", 20, ninja, zig.map(Compiler::Zig), cache)
    }

    /// `cc`: ninja driving the platform compiler. Used only when named (priority 0), since
    /// its wheels are portable only when the audit says so.
    pub fn platform(
        ninja: Found<Ninja>,
        compiler: Found<PlatformCompiler>,
        cache: Option<ObjectCache>,
    ) -> Self {
        Self::with("cc", 0, ninja, compiler.map(Compiler::Platform), cache)
    }

    fn with(
        name: &'static str,
        priority: i32,
        ninja: Found<Ninja>,
        compiler: Found<Compiler>,
        object_cache: Option<ObjectCache>,
    ) -> Self {
        Self {
            name,
            priority,
            ninja,
            compiler,
            object_cache,
        }
    }

    /// The words that run each compile through the object cache (none without it): the
    /// cache's key also holds what the compile command does not say, the compiler's own
    /// version and the Python headers' release.
    fn launcher(&self, compiler: &Compiler, graph: &BuildGraph) -> Vec<String> {
        let Some(cache) = &self.object_cache else {
            return Vec::new();
        };
        let version = match compiler {
            Compiler::Zig(zig) => &zig.version,
            Compiler::Platform(cc) => &cc.version,
        };
        let patchlevel =
            std::fs::read(graph.target.include_dir.join("patchlevel.h")).unwrap_or_default();
        let toolchain = Sha256::digest(
            [
                env!("CARGO_PKG_VERSION").as_bytes(),
                version.as_bytes(),
                &patchlevel,
            ]
            .concat(),
        );
        let key: String = toolchain[..16].iter().map(|b| format!("{b:02x}")).collect();
        cache.launcher_words(&key)
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
                Ok(format!("ninja {}, zig {}", ninja.version, zig.version))
            }
            // The compiler's own first line names it: `cc (Debian 12.2.0-14) 12.2.0`.
            (Ok(ninja), Ok(Compiler::Platform(cc))) => {
                Ok(format!("ninja {}, {}", ninja.version, cc.version))
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
        let files = graph.extensions.iter().flat_map(|e| {
            let cython = e.cython.iter().map(|step| &step.source);
            e.sources.iter().chain(&e.depends).chain(cython)
        });
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
        let tools = (
            self.ninja.as_ref().ok(),
            self.compiler.as_ref().ok(),
            &self.object_cache,
        );
        serde_json::to_string(&tools).expect("tool facts serialize")
    }

    fn zig(&self) -> Option<&Zig> {
        match &self.compiler {
            Ok(Compiler::Zig(zig)) => Some(zig),
            _ => None,
        }
    }

    fn translates_cython(&self) -> bool {
        true
    }

    fn programs(&self) -> Vec<PathBuf> {
        let zig = self.zig().map(|zig| zig.path.clone());
        let cache = self
            .object_cache
            .iter()
            .flat_map(|c| [c.python.clone(), c.launcher.clone()]);
        zig.into_iter().chain(cache).collect()
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
        let text = generate(&graph, compiler, &self.launcher(compiler, &graph)).map_err(|why| {
            CompileError::Unwritable {
                file: self.build_file().to_string(),
                why,
            }
        })?;
        env.write_version_scripts(&graph)?;
        if graph.cython.is_some() {
            cython::write_step(env)?;
        }
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
        // Not part of `command`: an editable install's rebuild passes its own.
        if let Some(tool) = &graph.cython {
            command.env(cython::SEARCH_PATH_VAR, cython::search_path(tool));
        }
        let output = process::output_echoing(&mut command, progress(env))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let launcher = match &self.compiler {
                Ok(compiler) => self.launcher(compiler, graph),
                Err(_) => Vec::new(),
            };
            // The words as ninja runs them: `$$` in the build file is one `$`. `write`
            // already wrote them, so they hold nothing it refuses.
            let as_run = |written: Written| written.unwrap_or_default().replace("$$", "$");
            let launcher = as_run(words(launcher.iter().map(String::as_str)));
            let failure = diagnostics::ninja_failure(&format!("{stdout}{stderr}"), &launcher);
            // Runnable as shown: ninja ran it in its folder, where the project is `project/`.
            let folder = as_run(word(&env.work_dir.to_string_lossy()));
            return Err(CompileError::Failed {
                output: diagnostics::user_paths(&failure.diagnostics, &env.work_dir),
                command: failure.command.map(|c| format!("cd {folder} && {c}")),
            }
            .into());
        }
        if env.verbose {
            eprint!("{stderr}");
        }
        if let Some(cache) = &self.object_cache {
            cache.trim();
        }
        Ok(())
    }
}

/// What ninja prints while it runs, shown as it comes: every line as it is with `verbose`
/// (the commands ninja runs, in its folder), else its `[n/m]` progress when stderr is a
/// terminal (a frontend that captures the output shows it only on failure, where the
/// error holds what matters).
fn progress(env: &BuildEnv) -> Option<process::Echo> {
    use std::io::IsTerminal;
    if env.verbose {
        return Some(Box::new(|line: &str| eprintln!("{line}")));
    }
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let work_dir = env.work_dir.clone();
    Some(Box::new(move |line: &str| {
        if diagnostics::is_status_line(line) {
            eprintln!("{}", diagnostics::user_paths(line, &work_dir));
        }
    }))
}

// ninja's escapes. A line break ends a statement and cannot be escaped (`$` before one
// continues the line without it), and a NUL ends the file: a value holding either, or any
// other control character, is refused (`project::text`), so that no value can become a
// statement of its own.

/// A word for a POSIX shell command line (ninja runs commands with `/bin/sh -c`), then
/// escaped for ninja, which gives `$` its own meaning.
fn word(text: &str) -> Written {
    check_text(text)?;
    let quoted = shlex::try_quote(text).map_err(|_| ControlCharacter {
        value: text.to_string(),
        found: '\0',
    })?;
    Ok(quoted.replace('$', "$$"))
}

fn words<'a>(items: impl IntoIterator<Item = &'a str>) -> Written {
    let words: Vec<String> = items.into_iter().map(word).collect::<Result<_, _>>()?;
    Ok(words.join(" "))
}

/// A path in a `build` line, where ninja needs `$`, space and `:` escaped.
fn build_path(path: &Path) -> Written {
    let text = path.to_string_lossy();
    check_text(&text)?;
    Ok(text
        .replace('$', "$$")
        .replace(' ', "$ ")
        .replace(':', "$:"))
}

/// Text for `build.ninja`, or the value it cannot hold.
type Written = std::result::Result<String, ControlCharacter>;

/// The optimization and debug flags of a mode, for clang-compatible compilers.
fn optimize_flags(optimize: Optimize, zig: bool) -> Vec<&'static str> {
    let mut flags = match optimize {
        Optimize::Debug => vec!["-O0", "-g"],
        Optimize::ReleaseSafe | Optimize::ReleaseFast => vec!["-O2"],
        Optimize::ReleaseSmall => vec!["-Os"],
    };
    // zig cc turns UBSan on by default; release modes must not trap (ARCHITECTURE.md, "Zig facts", 2).
    // Debug traps (SIGILL) instead of calling UBSan's runtime, whose reports need the
    // source paths that the maps take out.
    match (zig, optimize) {
        (false, _) => {}
        (true, Optimize::Debug) => {
            flags.push("-fsanitize-trap=undefined");
            flags.extend(UBSAN_PATH_FLAGS);
        }
        (true, _) => flags.push("-fno-sanitize=undefined"),
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
pub fn generate(graph: &BuildGraph, compiler: &Compiler, launcher: &[String]) -> Written {
    let zig = match compiler {
        Compiler::Zig(zig) => Some(zig),
        Compiler::Platform(_) => None,
    };
    let (cc, cxx, target): (String, String, Vec<String>) = match compiler {
        Compiler::Zig(zig) => {
            let zig = zig.path.to_string_lossy();
            (
                words([zig.as_ref(), "cc"])?,
                words([zig.as_ref(), "c++"])?,
                vec!["-target".into(), graph.target.zig_triple.clone()],
            )
        }
        Compiler::Platform(platform) => (
            words(platform.cc.iter().map(String::as_str))?,
            words(platform.cxx.iter().map(String::as_str))?,
            Vec::new(),
        ),
    };
    let mut common = vec!["-fPIC".to_string()];
    common.extend(path_maps::flags(graph, zig));
    common.push("-isystem".into());
    common.push(graph.target.include_dir.to_string_lossy().into_owned());
    let link = Link::of(graph, zig);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by zlig {} from pyproject.toml. Do not edit: it is rewritten when the project changes.",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("ninja_required_version = 1.5\n\n");
    if let Some(zig) = zig.filter(|_| link == Link::BuildLib) {
        let _ = writeln!(out, "zig = {}", word(&zig.path.to_string_lossy())?);
    }
    let _ = writeln!(
        out,
        "launcher = {}",
        words(launcher.iter().map(String::as_str))?
    );
    let _ = writeln!(out, "cc = {cc}");
    let _ = writeln!(out, "cxx = {cxx}");
    let _ = writeln!(
        out,
        "target = {}",
        words(target.iter().map(String::as_str))?
    );
    let _ = writeln!(
        out,
        "optimize = {}",
        words(optimize_flags(graph.optimize, zig.is_some()))?
    );
    let _ = writeln!(
        out,
        "common = {}",
        words(common.iter().map(String::as_str))?
    );
    out.push_str(COMPILE_RULES);
    if let Some(tool) = &graph.cython {
        let _ = writeln!(out, "\npython = {}", word(&tool.python.to_string_lossy())?);
        out.push_str(CYTHON_RULE);
    }
    out.push_str(match link {
        Link::Driver => LINK_RULE,
        Link::BuildLib => BUILD_LIB_RULE,
    });
    for ext in &graph.extensions {
        write_extension(&mut out, graph, ext, link, zig.is_some())?;
    }
    Ok(out)
}

/// A compile flag as `zig cc` must get it to mean what clang makes of it. zig cc reads
/// `-march=` and `-mcpu=` in its own syntax, where LLVM's `x86-64-v3` is `x86_64_v3` and
/// `-` removes a feature: the CPU model (and `+feature`s) is written in zig's spelling.
/// `-m<feature>` and `-mno-<feature>` reach clang as they are.
fn zig_cc_flag(flag: &str) -> String {
    let Some(value) = flag
        .strip_prefix("-march=")
        .or_else(|| flag.strip_prefix("-mcpu="))
    else {
        return flag.to_string();
    };
    format!("-mcpu={}", value.replace(['-', '.'], "_"))
}

// `-MD`: the depfiles list every header a compile read, system ones included, so that
// ninja and the object cache follow a header from `-isystem`, `CPATH` or conda's include
// folder as they follow the project's own (the project's through its link, so relative).
// A system folder whose path holds `|;*<>^` or a backtick, at which ninja's depfile parser
// splits, makes its includers run at every build (served by the object cache).
const COMPILE_RULES: &str = r#"
rule cc
  command = $launcher $cc $target $optimize $common $flags -MD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = compiling $in

rule cxx
  command = $launcher $cxx $target $optimize $common $flags -MD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = compiling $in
"#;

// zlig's Cython step (`compile::cython`) writes a depfile of what Cython read, so that an
// edited `.pyx`, `.pxd` or `.pxi` translates again exactly the sources that read it. The
// step itself is an input: a new zlig's step translates everything again.
const CYTHON_RULE: &str = r#"
rule cython
  command = $python $args
  depfile = $out.d
  deps = gcc
  description = translating $source
"#;

// The link takes its objects from a response file: 10,000 objects exceed the kernel's
// limit on one argument (`sh -c '…'`). zig reads response files with its own quoting, so
// only objects, whose names zlig makes, go into it. `$optimize` at the link too: zig cc
// builds the runtime libraries it links (compiler_rt, libc++) in that mode, and the
// release ones are a fraction of the size.
const LINK_RULE: &str = r#"
rule link
  command = $linker $target $optimize -shared -o $out @$out.rsp $ldflags
  rspfile = $out.rsp
  rspfile_content = $in_newline
  description = linking $out
"#;

// zig cc strips all or nothing, and the runtime libraries it links (compiler_rt, libc++,
// libunwind) carry DWARF with zig's cache paths and the folder of the build that made
// them. `zig build-lib` strips per module: the root module is stripped, so zig builds
// them without DWARF, and the unstripped module `keep` makes the link keep the objects'
// DWARF. `--gc-sections` drops the UBSan data that trap mode leaves unreferenced. It reads
// response files as zig cc does.
const BUILD_LIB_RULE: &str = r#"
rule build_lib
  command = $zig build-lib $target -Odebug -fPIC -fstrip -fno-ubsan-rt --dep keep -Mroot -fno-strip -Mkeep --gc-sections @$out.rsp $ldflags -fallow-shlib-undefined -dynamic -fno-soname -femit-bin=$out
  rspfile = $out.rsp
  rspfile_content = $in_newline
  description = linking $out
"#;

/// How a ninja file links its modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// The compiler driver (`zig cc`, `cc`), given linker flags.
    Driver,
    /// `zig build-lib`, for `Debug` modules built by zig (`BUILD_LIB_RULE`).
    BuildLib,
}

impl Link {
    fn of(graph: &BuildGraph, zig: Option<&Zig>) -> Self {
        match zig {
            Some(_) if graph.optimize.keeps_debug_info() => Self::BuildLib,
            _ => Self::Driver,
        }
    }

    /// The link flags of `ext`, in this link's syntax.
    fn flags(self, graph: &BuildGraph, ext: &Extension, map: &Path) -> Vec<String> {
        let mut flags = match self {
            Self::Driver => {
                let mut flags = vec![format!("-Wl,--version-script={}", map.display())];
                if graph.strip {
                    flags.push("-s".into());
                }
                flags
            }
            Self::BuildLib => {
                let mut flags = vec!["-lc".to_string()];
                if ext.language == Language::Cxx {
                    flags.push("-lc++".into());
                }
                flags.extend(["--version-script".into(), map.display().to_string()]);
                flags
            }
        };
        for input in &ext.link {
            match (self, input) {
                (_, LinkInput::LibraryDir(dir)) => flags.push(format!("-L{}", dir.display())),
                (_, LinkInput::Library(name)) => flags.push(format!("-l{name}")),
                (Self::Driver, LinkInput::RPath(path)) => flags.push(format!("-Wl,-rpath,{path}")),
                (Self::BuildLib, LinkInput::RPath(path)) => {
                    flags.extend(["-rpath".into(), path.clone()])
                }
                (_, LinkInput::File(file)) => flags.push(file.to_string_lossy().into_owned()),
                (Self::Driver, LinkInput::LinkerOption(option)) => {
                    flags.push(format!("-Wl,{option}"))
                }
                // `zig build-lib` takes the linker's words as its own arguments.
                (Self::BuildLib, LinkInput::LinkerOption(option)) => {
                    flags.extend(option.split(',').map(String::from))
                }
            }
        }
        flags
    }
}

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
/// already, and its handler is the whole process's) and whose CPU flags are spelled for zig.
fn write_extension(
    out: &mut String,
    graph: &BuildGraph,
    ext: &Extension,
    link: Link,
    zig: bool,
) -> Result<(), ControlCharacter> {
    let mut flags: Vec<String> = match zig {
        true => ext.compile_flags.iter().map(|f| zig_cc_flag(f)).collect(),
        false => ext.compile_flags.clone(),
    };
    for dir in &ext.include_dirs {
        flags.push(format!("-I{}", dir.display()));
    }
    let flags = words(flags.iter().map(String::as_str))?;
    let _ = writeln!(out, "\n# {}", ext.name);
    // `depends` files rebuild every object of the extension; headers are in the depfiles.
    let depends: String = match ext.depends.as_slice() {
        [] => String::new(),
        files => {
            let paths: Vec<String> = files
                .iter()
                .map(|d| build_path(&graph.root.join(d)))
                .collect::<Result<_, _>>()?;
            format!(" | {}", paths.join(" "))
        }
    };
    let mut sources: Vec<PathBuf> = ext.sources.iter().map(|s| graph.root.join(s)).collect();
    sources.extend(write_cython_steps(out, graph, ext)?);
    let mut objects = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let object = object_name(ext, index, source);
        let is_c = source.extension().is_some_and(|e| e == "c");
        let _ = writeln!(
            out,
            "build {}: {} {}{depends}\n  flags = {flags}",
            build_path(&object)?,
            if is_c { "cc" } else { "cxx" },
            build_path(source)?,
        );
        objects.push(object);
    }
    if zig && ext.language == Language::Cxx {
        // Compiled with the rule's flags only (`$common` holds the path maps), not the
        // project's (`-fno-exceptions`, `-Werror`), which are not meant for it.
        let object = PathBuf::from("obj")
            .join(&ext.name)
            .join("zlig_terminate.o");
        let _ = writeln!(
            out,
            "build {}: cxx {CXX_TERMINATE_FILE}\n  flags =",
            build_path(&object)?
        );
        objects.push(object);
    }
    write_link(out, graph, ext, link, &objects)
}

/// The statements translating the extension's Cython sources; the generated files.
fn write_cython_steps(
    out: &mut String,
    graph: &BuildGraph,
    ext: &Extension,
) -> Result<Vec<PathBuf>, ControlCharacter> {
    let Some(tool) = &graph.cython else {
        return Ok(Vec::new());
    };
    for step in &ext.cython {
        let args = cython::arguments(tool, step);
        let _ = writeln!(
            out,
            "build {}: cython {} | {}\n  args = {}\n  source = {}",
            build_path(&step.output)?,
            build_path(&graph.root.join(&step.source))?,
            build_path(Path::new(cython::STEP_FILE))?,
            words(args.iter().map(String::as_str))?,
            word(&step.source.to_string_lossy())?,
        );
    }
    Ok(ext.cython.iter().map(|step| step.output.clone()).collect())
}

/// The statement linking the extension's `objects` into its module.
fn write_link(
    out: &mut String,
    graph: &BuildGraph,
    ext: &Extension,
    link: Link,
    objects: &[PathBuf],
) -> Result<(), ControlCharacter> {
    let map = PathBuf::from("exports").join(ext.version_script_name());
    let ldflags = link.flags(graph, ext, &map);
    let module = Path::new(OUT).join(&ext.output);
    let objects: Vec<String> = objects
        .iter()
        .map(|o| build_path(o))
        .collect::<Result<_, _>>()?;
    let (rule, linker) = match link {
        Link::Driver if ext.language == Language::Cxx => ("link", Some("$cxx")),
        Link::Driver => ("link", Some("$cc")),
        Link::BuildLib => ("build_lib", None),
    };
    let _ = writeln!(
        out,
        "build {}: {rule} {} | {}",
        build_path(&module)?,
        objects.join(" "),
        build_path(&map)?,
    );
    if let Some(linker) = linker {
        let _ = writeln!(out, "  linker = {linker}");
    }
    let _ = writeln!(
        out,
        "  ldflags = {}",
        words(ldflags.iter().map(String::as_str))?
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_support::{sample_cython_graph, sample_graph};

    /// The sample graph as a C++ extension with an rpath.
    fn graph() -> BuildGraph {
        let mut graph = sample_graph(&["src/a.c", "src/b.cpp"]);
        let ext = &mut graph.extensions[0];
        ext.language = Language::Cxx;
        ext.link.push(LinkInput::RPath("$ORIGIN".into()));
        ext.link.push(LinkInput::LinkerOption("-z,now".into()));
        graph
    }

    #[test]
    fn the_cc_backend_s_banner_names_ninja_and_the_compiler_apart() {
        let ninja = Ninja {
            path: "/n/ninja".into(),
            version: "1.11.1".into(),
        };
        let cc = PlatformCompiler {
            cc: vec!["cc".into()],
            cxx: vec!["c++".into()],
            version: "cc (Debian 12.2.0-14) 12.2.0".into(),
        };
        let backend = NinjaBackend::platform(Ok(ninja), Ok(cc), None);
        insta::assert_snapshot!(
            crate::compile::backend_and_tools(&backend),
            @"the cc backend (ninja 1.11.1, cc (Debian 12.2.0-14) 12.2.0)"
        );
    }

    fn zig() -> Compiler {
        Compiler::Zig(Zig {
            path: "/z/zig".into(),
            version: "0.17.0".into(),
            origin: "ZLIG_ZIG".into(),
        })
    }

    #[test]
    fn build_ninja_for_zig_cc() {
        let actual = generate(&graph().relocated(Path::new("project")), &zig(), &[]).unwrap();
        insta::assert_snapshot!(actual);
    }

    /// Debug links with `zig build-lib`, which takes link inputs in its own syntax.
    #[test]
    fn build_ninja_for_zig_cc_in_debug() {
        let mut graph = graph().relocated(Path::new("project"));
        graph.optimize = Optimize::Debug;
        graph.strip = false;
        insta::assert_snapshot!(generate(&graph, &zig(), &[]).unwrap());
    }

    #[test]
    fn cpu_models_are_spelt_for_zig_cc_and_feature_flags_kept() {
        assert_eq!(zig_cc_flag("-march=x86-64-v3"), "-mcpu=x86_64_v3");
        assert_eq!(zig_cc_flag("-mcpu=cortex-a72+crc"), "-mcpu=cortex_a72+crc");
        assert_eq!(zig_cc_flag("-march=haswell+sse4.2"), "-mcpu=haswell+sse4_2");
        assert_eq!(zig_cc_flag("-mno-sse4.2"), "-mno-sse4.2");
        assert_eq!(zig_cc_flag("-mcrc32"), "-mcrc32");
    }

    /// A Cython source is translated by zlig's step (its depfile lists what Cython read),
    /// then compiled like the other sources.
    #[test]
    fn build_ninja_for_a_cython_source() {
        let graph = sample_cython_graph(&["src/a.c"]).relocated(Path::new("project"));
        insta::assert_snapshot!(generate(&graph, &zig(), &[]).unwrap());
    }

    #[test]
    fn words_are_quoted_for_the_shell_and_escaped_for_ninja() {
        assert_eq!(word("-DVERSION=\"1.2\"").unwrap(), "'-DVERSION=\"1.2\"'");
        assert_eq!(word("-Wl,-rpath,$ORIGIN").unwrap(), "'-Wl,-rpath,$$ORIGIN'");
        assert_eq!(word("-O2").unwrap(), "-O2");
        assert_eq!(
            word("-DMSG=\"it's $5 # each\"").unwrap(),
            "\"-DMSG=\\\"it's \"'$$5 # each\"'"
        );
        assert_eq!(
            build_path(Path::new("/a b/c:d$e#f")).unwrap(),
            "/a$ b/c$:d$$e#f"
        );
    }

    /// Macros, include folders and sources with spaces, quotes, `$`, `#` and `:` are
    /// escaped; a line break in any value never reaches the file.
    #[test]
    fn odd_values_are_escaped_and_line_breaks_refused() {
        let mut graph = sample_graph(&["src/a.c", "src/odd name $1 #2:3.c"]);
        let ext = &mut graph.extensions[0];
        ext.compile_flags
            .push("-DGREETING=\"hello world, it's $HOME\"".into());
        ext.include_dirs.push(graph.root.join("inc $dollar #hash"));
        ext.link.push(LinkInput::Library("odd $lib".into()));
        let written = generate(&graph.relocated(Path::new("project")), &zig(), &[]).unwrap();
        insta::assert_snapshot!(written);

        let refused = |edit: &dyn Fn(&mut Extension)| {
            let mut graph = sample_graph(&["src/a.c"]);
            edit(&mut graph.extensions[0]);
            generate(&graph.relocated(Path::new("project")), &zig(), &[])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(&|ext| ext
                .compile_flags
                .push("-DX=1\nrule evil\n  command = touch marker\nbuild evil: evil".into())),
            "`-DX=1\\nrule evil\\n  command = touch marker\\nbuild evil: evil` holds a line break (`\\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
        );
        assert_eq!(
            refused(&|ext| ext.link.push(LinkInput::Library("m\r".into()))),
            "`-lm\\r` holds a line break (`\\r`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
        );
        assert_eq!(
            refused(&|ext| ext.sources.push("src/b\0.c".into())),
            "`project/src/b\\0.c` holds a NUL character (`\\0`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
        );
    }
}
