//! Finds the tools the backends drive, each in this order: the explicit one (`ZLIG_ZIG`,
//! `ZLIG_NINJA`), the package in the running environment (`ziglang`, `ninja`), the copy
//! zlig kept in the user's cache from an earlier build (unless reuse is off), then `PATH`;
//! the first usable one wins. A kept copy is checked before use (its files, its version
//! answer), never trusted blindly: a damaged one is passed over. The platform compiler:
//! `CC`/`CXX`, else `cc`/`c++`. Each rejected candidate keeps its reason, so that "no
//! usable backend" can say what was tried. Asking a tool its version is `probes`' job.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde::Serialize;

use crate::compile::probes::first_line;
use crate::compile::tool_home::{self, env_path};
use crate::project::text::check_text;

/// The zig series zlig generates code for (`build.zig` APIs change between minor versions).
pub const SUPPORTED_SERIES: &str = "0.17.";

/// The requirement handed to the frontend when zig must be installed.
pub const ZIGLANG_REQUIREMENT: &str = "ziglang>=0.17,<0.18";

/// The requirement handed to the frontend when ninja must be installed.
pub const NINJA_REQUIREMENT: &str = "ninja>=1.10";

/// Environment variables that leak into zig's clang or install step (ARCHITECTURE.md,
/// "Zig facts", 6).
const ZIG_SCRUBBED_ENV: &[&str] = &[
    "CPATH",
    "C_INCLUDE_PATH",
    "CPLUS_INCLUDE_PATH",
    "OBJC_INCLUDE_PATH",
    "LIBRARY_PATH",
    "DESTDIR",
    "ZIG_LOCAL_CACHE_DIR",
    "ZIG_BUILD_ERROR_STYLE",
    "ZIG_BUILD_SUMMARY",
    "ZIG_VERBOSE_CC",
    "ZIG_VERBOSE_LINK",
    "ZIG_LIB_DIR",
    "ZIG_LIBC",
];

/// The environment zig runs in: without what zig would otherwise honour (include and
/// library paths, even for cross targets; `DESTDIR`; zig's own overrides), and with its
/// global cache named, so that zig never derives it from a relative or missing `HOME`.
pub fn zig_environment(command: &mut Command) {
    for var in ZIG_SCRUBBED_ENV {
        command.env_remove(var);
    }
    if let Some(cache) = tool_home::zig_global_cache() {
        command.env("ZIG_GLOBAL_CACHE_DIR", cache);
    }
}

/// What is wrong with one candidate tool.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Problem {
    #[error("not found")]
    NotFound,
    #[error("not installed in this environment")]
    NotInstalled,
    #[error("cannot run it ({0})")]
    CannotRun(#[source] Arc<std::io::Error>),
    #[error("`{arg}` failed with {status}")]
    Failed { arg: String, status: String },
    #[error("version {0}, but zlig needs {SUPPORTED_SERIES}x")]
    WrongVersion(String),
    #[error("{var}={value:?} has unbalanced quotes")]
    UnbalancedQuotes { var: &'static str, value: String },
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("not safe to run: {0}")]
    Unsafe(crate::trust::Unsafe),
    /// Its path or command cannot be written into zlig's build files (`project::text`).
    #[error("zlig cannot write it into a build file: {0}")]
    Unwritable(String),
}

/// Fails when `path` cannot be written into a build file as it is: not UTF-8, or holding a
/// control character (`project::text`).
fn writable(path: &Path) -> Result<(), Problem> {
    let text = path
        .to_str()
        .ok_or_else(|| Problem::Unwritable(format!("{} is not valid UTF-8", path.display())))?;
    check_text(text).map_err(|why| Problem::Unwritable(why.to_string()))
}

/// One candidate that was not used, and why: `zig on PATH (/usr/bin/zig): version 0.13.0, …`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{candidate}: {problem}")]
pub struct ToolProblem {
    /// Which candidate: `ZLIG_ZIG=/x`, `ziglang package (/x)`, `zig on PATH`.
    pub candidate: String,
    #[source]
    pub problem: Problem,
}

/// No usable tool: every candidate and why.
#[derive(Debug, Clone)]
pub struct NotFound(pub Vec<ToolProblem>);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&reasons.join("; "))
    }
}

impl std::error::Error for NotFound {}

impl NotFound {
    /// The error of running `backend` without this tool.
    pub fn for_backend(&self, backend: &str) -> crate::error::Error {
        crate::compile::CompileError::ToolMissing {
            backend: backend.to_string(),
            why: crate::compile::backend::Unusable::Tools(self.0.clone()),
        }
        .into()
    }
}

fn problem(candidate: impl Into<String>, problem: Problem) -> ToolProblem {
    ToolProblem {
        candidate: candidate.into(),
        problem,
    }
}

/// A usable zig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zig {
    pub path: PathBuf,
    pub version: String,
    /// Where it was found: `ZLIG_ZIG`, `ziglang` or `PATH`.
    pub origin: String,
}

impl Zig {
    /// A command running this zig, in `zig_environment`.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.path);
        zig_environment(&mut command);
        command
    }

    /// zig's own library folder (headers, libc sources), next to the binary.
    pub fn lib_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(|dir| dir.join("lib"))
            .unwrap_or_default()
    }
}

/// The places to look for a tool, gathered from the environment by the caller.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// `ZLIG_ZIG` or `ZLIG_NINJA`, if set.
    pub explicit: Option<PathBuf>,
    /// The binary of the running environment's `ziglang` or `ninja` package, if installed.
    pub package: Option<PathBuf>,
    /// zlig's folder in the user's cache, where kept copies are, when reuse is on.
    pub kept: Option<PathBuf>,
    /// `PATH`, to look in.
    pub path: Option<OsString>,
    /// Say why a kept copy is passed over.
    pub verbose: bool,
}

impl Candidates {
    /// Reads `ZLIG_<TOOL>` and `PATH` from the process environment; `package` is the
    /// environment's package binary, `reuse` whether kept copies count.
    pub fn from_env(tool: &str, package: Option<PathBuf>, reuse: bool, verbose: bool) -> Self {
        Self {
            explicit: env_path(&format!("ZLIG_{}", tool.to_ascii_uppercase())),
            package,
            kept: reuse.then(tool_home::trusted_cache_dir).flatten(),
            path: std::env::var_os("PATH"),
            verbose,
        }
    }

    /// The newest kept copy of `tool` that is safe (`trust`), whole, and answers its version.
    fn kept<T: Versioned>(
        &self,
        tool: &str,
        probe: impl Fn(&Path) -> Result<T, Problem>,
    ) -> Option<T> {
        for (version, dir) in tool_home::kept(self.kept.as_deref()?, tool) {
            let path = if dir.is_dir() {
                dir.join(tool)
            } else {
                dir.clone()
            };
            // Judged before it runs: a copy another user could have changed is never run.
            let checked = match tool_home::kept_problem(tool, &dir) {
                Some(why) => Err(why),
                None => probe(&path).and_then(|found| {
                    match tool_home::version_name(found.version()) == version {
                        true => Ok(found),
                        false => Err(Problem::WrongVersion(found.version().to_string())),
                    }
                }),
            };
            match checked {
                Ok(found) => return Some(found),
                Err(why) if self.verbose => {
                    eprintln!(
                        "zlig: not using the {tool} {version} kept in {}: {why}",
                        dir.display()
                    )
                }
                Err(_) => {}
            }
        }
        None
    }

    /// The first usable zig, or every reason why none is.
    pub fn find_zig(&self) -> Result<Zig, NotFound> {
        if let Some(explicit) = &self.explicit {
            return probe(explicit, "ZLIG_ZIG").map_err(|why| {
                NotFound(vec![problem(
                    format!("ZLIG_ZIG={}", explicit.display()),
                    why,
                )])
            });
        }
        let mut reasons = Vec::new();
        match &self.package {
            Some(path) => match probe(path, "ziglang") {
                Ok(zig) => return Ok(tool_home::settle_zig(zig)),
                Err(why) => reasons.push(problem(
                    format!("ziglang package ({})", path.display()),
                    why,
                )),
            },
            None => reasons.push(problem("ziglang package", Problem::NotInstalled)),
        }
        if let Some(zig) = self.kept("zig", |path| probe(path, "kept")) {
            return Ok(zig);
        }
        match on_path(self.path.as_ref(), "zig") {
            Some(path) => match probe(&path, "PATH") {
                Ok(zig) => return Ok(zig),
                Err(why) => reasons.push(problem(format!("zig on PATH ({})", path.display()), why)),
            },
            None => reasons.push(problem("zig on PATH", Problem::NotFound)),
        }
        Err(NotFound(reasons))
    }
}

/// The first file named `name` in the folders of `PATH`.
pub(crate) fn on_path(path: Option<&OsString>, name: &str) -> Option<PathBuf> {
    path.and_then(|dirs| {
        std::env::split_paths(dirs)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// A tool that knows its version.
trait Versioned {
    fn version(&self) -> &str;
}

impl Versioned for Zig {
    fn version(&self) -> &str {
        &self.version
    }
}

impl Versioned for Ninja {
    fn version(&self) -> &str {
        &self.version
    }
}

/// A usable ninja.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ninja {
    pub path: PathBuf,
    pub version: String,
}

impl Candidates {
    /// The first usable ninja, or why there is none. One from the environment's package or
    /// `PATH` (where a frontend's build environment puts the `ninja` it installed) is run
    /// from its lasting copy.
    pub fn find_ninja(&self) -> Result<Ninja, NotFound> {
        if let Some(explicit) = &self.explicit {
            return probe_ninja(explicit).map_err(|why| {
                NotFound(vec![problem(
                    format!("ZLIG_NINJA={}", explicit.display()),
                    why,
                )])
            });
        }
        let mut reasons = Vec::new();
        if let Some(path) = &self.package {
            match probe_ninja(path) {
                Ok(ninja) => return Ok(tool_home::settle_ninja(ninja)),
                Err(why) => {
                    reasons.push(problem(format!("ninja package ({})", path.display()), why))
                }
            }
        }
        if let Some(ninja) = self.kept("ninja", probe_ninja) {
            return Ok(ninja);
        }
        match on_path(self.path.as_ref(), "ninja") {
            Some(path) => match probe_ninja(&path) {
                Ok(ninja) => return Ok(tool_home::settle_ninja(ninja)),
                Err(why) => {
                    reasons.push(problem(format!("ninja on PATH ({})", path.display()), why))
                }
            },
            None => reasons.push(problem(
                "ninja (ZLIG_NINJA, the ninja package, PATH)",
                Problem::NotFound,
            )),
        }
        Err(NotFound(reasons))
    }
}

/// Runs `ninja --version`.
fn probe_ninja(path: &Path) -> Result<Ninja, Problem> {
    writable(path)?;
    Ok(Ninja {
        path: path.to_path_buf(),
        version: first_line(path, "--version")?,
    })
}

/// The platform's own C and C++ compilers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformCompiler {
    /// The C compiler command (`CC`, split as a shell would), else `cc`.
    pub cc: Vec<String>,
    /// The C++ compiler command (`CXX`), else `c++`.
    pub cxx: Vec<String>,
    /// The first line of `cc --version`.
    pub version: String,
}

/// Finds the platform compiler from `CC` and `CXX`.
pub fn find_platform_compiler() -> Result<PlatformCompiler, NotFound> {
    let command = |var: &'static str, default: &str| {
        let value = std::env::var(var).unwrap_or_default();
        let refused = |why| Err(NotFound(vec![problem("the platform compiler", why)]));
        match shlex::split(&value) {
            Some(words) if words.is_empty() => Ok(vec![default.to_string()]),
            Some(words) => match words.iter().find_map(|word| check_text(word).err()) {
                Some(why) => refused(Problem::Unwritable(format!("{var}: {why}"))),
                None => Ok(words),
            },
            None => refused(Problem::UnbalancedQuotes { var, value }),
        }
    };
    let cc = command("CC", "cc")?;
    let cxx = command("CXX", "c++")?;
    let version = first_line(Path::new(&cc[0]), "--version")
        .map_err(|why| NotFound(vec![problem(format!("C compiler `{}`", cc[0]), why)]))?;
    Ok(PlatformCompiler { cc, cxx, version })
}

/// Runs `zig version` and checks the series.
fn probe(path: &Path, origin: &str) -> Result<Zig, Problem> {
    writable(path)?;
    let version = first_line(path, "version")?;
    if !version.starts_with(SUPPORTED_SERIES) {
        return Err(Problem::WrongVersion(version));
    }
    Ok(Zig {
        path: path.to_path_buf(),
        version,
        origin: origin.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::scrubbed;
    use std::os::unix::fs::PermissionsExt;

    fn fake_zig(dir: &Path, version: &str) -> PathBuf {
        let path = dir.join("zig");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&path, format!("#!/bin/sh\necho {version}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// A kept copy `zig-<version>-<size>` in `cache`, answering `answer`, with its lib files,
    /// private as zlig keeps it.
    fn kept_zig(cache: &Path, version: &str, answer: &str) -> PathBuf {
        let made = cache.join(format!(".zig-{version}"));
        let size = std::fs::metadata(fake_zig(&made, answer)).unwrap().len();
        for file in ["lib/std/std.zig", "lib/compiler_rt.zig"] {
            std::fs::create_dir_all(made.join(file).parent().unwrap()).unwrap();
            std::fs::write(made.join(file), "").unwrap();
        }
        std::fs::set_permissions(&made, std::fs::Permissions::from_mode(0o700)).unwrap();
        let dir = cache.join(format!("zig-{version}-{size}"));
        std::fs::rename(made, &dir).unwrap();
        dir
    }

    #[test]
    fn ziglang_wins_over_path_and_wrong_versions_are_explained() {
        let good = tempfile::tempdir().unwrap();
        let old = tempfile::tempdir().unwrap();
        let candidates = Candidates {
            package: Some(fake_zig(old.path(), "0.13.0")),
            path: Some(good.path().as_os_str().to_owned()),
            ..Default::default()
        };
        fake_zig(good.path(), "0.17.0");
        let zig = candidates.find_zig().unwrap();
        assert_eq!(
            (zig.origin.as_str(), zig.version.as_str()),
            ("PATH", "0.17.0")
        );

        let none = Candidates {
            path: None,
            ..candidates
        };
        let err = none.find_zig().unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"ziglang package ([TMP]/zig): version 0.13.0, but zlig needs 0.17.x; zig on PATH: not found");
    }

    #[test]
    fn a_kept_copy_counts_as_found_before_path() {
        let cache = tempfile::tempdir().unwrap();
        let on_path = tempfile::tempdir().unwrap();
        fake_zig(on_path.path(), "0.17.0");
        kept_zig(cache.path(), "0.17.1", "0.17.1");
        kept_zig(cache.path(), "0.17.0", "0.17.0");
        let candidates = Candidates {
            kept: Some(cache.path().to_path_buf()),
            path: Some(on_path.path().as_os_str().to_owned()),
            ..Default::default()
        };
        let zig = candidates.find_zig().unwrap();
        assert_eq!(
            (zig.origin.as_str(), zig.version.as_str()),
            ("kept", "0.17.1")
        );
        let off = Candidates {
            kept: None,
            ..candidates
        };
        assert_eq!(off.find_zig().unwrap().origin, "PATH");
    }

    #[test]
    fn a_damaged_kept_copy_is_passed_over() {
        let cache = tempfile::tempdir().unwrap();
        let candidates = Candidates {
            kept: Some(cache.path().to_path_buf()),
            ..Default::default()
        };
        let missing_lib = kept_zig(cache.path(), "0.17.3", "0.17.3");
        std::fs::remove_dir_all(missing_lib.join("lib/std")).unwrap();
        kept_zig(cache.path(), "0.17.2", "0.16.0");
        let truncated = kept_zig(cache.path(), "0.17.1", "0.17.1");
        std::fs::write(truncated.join("zig"), "").unwrap();
        let err = candidates.find_zig().unwrap_err().to_string();
        insta::assert_snapshot!(err, @"ziglang package: not installed in this environment; zig on PATH: not found");
        kept_zig(cache.path(), "0.17.0", "0.17.0");
        assert_eq!(candidates.find_zig().unwrap().version, "0.17.0");
    }

    #[test]
    fn explicit_zig_is_used_or_reported_alone() {
        let candidates = Candidates {
            explicit: Some("/nonexistent/zig".into()),
            ..Default::default()
        };
        let err = candidates.find_zig().unwrap_err().to_string();
        insta::assert_snapshot!(err, @"ZLIG_ZIG=/nonexistent/zig: cannot run it (No such file or directory (os error 2))");
    }

    /// zig's path is written into `build.ninja`: one with a line break, or not UTF-8, is
    /// not used, whichever way it was found.
    #[test]
    fn a_zig_whose_path_a_build_file_cannot_hold_is_refused() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("a\nrule evil");
        let candidates = Candidates {
            explicit: Some(fake_zig(&odd, "0.17.0")),
            ..Default::default()
        };
        assert_eq!(
            candidates.find_zig().unwrap_err().to_string(),
            format!(
                "ZLIG_ZIG={0}/a\nrule evil/zig: zlig cannot write it into a build file: `{0}/a\\nrule evil/zig` holds a line break (`\\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
                dir.path().display()
            )
        );
        let bytes = dir.path().join(std::ffi::OsStr::from_bytes(b"\xff"));
        let candidates = Candidates {
            package: Some(fake_zig(&bytes, "0.17.0")),
            ..Default::default()
        };
        let err = candidates.find_zig().unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"ziglang package ([TMP]/�/zig): zlig cannot write it into a build file: [TMP]/�/zig is not valid UTF-8; zig on PATH: not found");
    }
}
