//! Finds the tools the backends drive. zig, in DESIGN.md's order: `ZLIG_ZIG` (or a zig an
//! editable install recorded), then the `ziglang` package of the running environment, then
//! a `zig` on `PATH`; the first usable one of the supported version wins. ninja: `ZLIG_NINJA`,
//! then `PATH`. The platform compiler: `CC`/`CXX`, else `cc`/`c++`. Each rejected candidate keeps
//! its reason, so that "no usable backend" can say what was tried.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::compile::tool_home::{self, env_path};

/// The zig series zlig generates code for (`build.zig` APIs change between minor versions).
pub const SUPPORTED_SERIES: &str = "0.17.";

/// The requirement handed to the frontend when zig must be installed.
pub const ZIGLANG_REQUIREMENT: &str = "ziglang>=0.17,<0.18";

/// Environment variables that leak into zig's clang or install step (ZIG.md §6).
pub const ZIG_SCRUBBED_ENV: &[&str] = &[
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

/// A usable zig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zig {
    pub path: PathBuf,
    pub version: String,
    /// Where it was found: `ZLIG_ZIG`, `ziglang` or `PATH`.
    pub origin: String,
}

/// The places to look, gathered from the environment by the caller.
#[derive(Debug, Clone, Default)]
pub struct ZigCandidates {
    /// `ZLIG_ZIG`, if set.
    pub explicit: Option<PathBuf>,
    /// The `zig` binary inside the running environment's `ziglang` package, if installed.
    pub ziglang: Option<PathBuf>,
    /// `PATH`, to look for `zig` in.
    pub path: Option<OsString>,
}

impl ZigCandidates {
    /// Reads `ZLIG_ZIG` and `PATH` from the process environment.
    pub fn from_env(ziglang: Option<PathBuf>) -> Self {
        Self {
            explicit: env_path("ZLIG_ZIG"),
            ziglang,
            path: std::env::var_os("PATH"),
        }
    }

    /// The first usable zig, or every reason why none is.
    pub fn find(&self) -> Result<Zig, String> {
        if let Some(explicit) = &self.explicit {
            return probe(explicit, "ZLIG_ZIG")
                .map_err(|why| format!("ZLIG_ZIG={}: {why}", explicit.display()));
        }
        let mut reasons = Vec::new();
        match &self.ziglang {
            Some(path) => match probe(path, "ziglang") {
                Ok(zig) => return Ok(tool_home::settle_zig(zig)),
                Err(why) => reasons.push(format!("ziglang package ({}): {why}", path.display())),
            },
            None => reasons.push("ziglang package: not installed in this environment".into()),
        }
        match on_path(self.path.as_ref(), "zig") {
            Some(path) => match probe(&path, "PATH") {
                Ok(zig) => return Ok(zig),
                Err(why) => reasons.push(format!("zig on PATH ({}): {why}", path.display())),
            },
            None => reasons.push("zig on PATH: not found".into()),
        }
        Err(reasons.join("; "))
    }
}

/// The first file named `name` in the folders of `PATH`.
fn on_path(path: Option<&OsString>, name: &str) -> Option<PathBuf> {
    path.and_then(|dirs| {
        std::env::split_paths(dirs)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The requirement handed to the frontend when ninja must be installed.
pub const NINJA_REQUIREMENT: &str = "ninja>=1.10";

/// A usable ninja.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ninja {
    pub path: PathBuf,
    pub version: String,
}

/// Finds ninja: `ZLIG_NINJA`, else `PATH` (where a frontend's build environment puts the
/// `ninja` it installed); one from `PATH` is run from its lasting copy.
pub fn find_ninja() -> Result<Ninja, String> {
    let explicit = env_path("ZLIG_NINJA");
    let from_path = explicit.is_none();
    let candidate = explicit
        .or_else(|| on_path(std::env::var_os("PATH").as_ref(), "ninja"))
        .ok_or("ninja: not found (ZLIG_NINJA unset, no ninja on PATH)")?;
    let version = first_line(&candidate, "--version")
        .map_err(|why| format!("ninja ({}): {why}", candidate.display()))?;
    let ninja = Ninja {
        path: candidate,
        version,
    };
    Ok(if from_path {
        tool_home::settle_ninja(ninja)
    } else {
        ninja
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
pub fn find_platform_compiler() -> Result<PlatformCompiler, String> {
    let command = |var: &str, default: &str| -> Result<Vec<String>, String> {
        let value = std::env::var(var).unwrap_or_default();
        let words = shlex::split(&value).ok_or(format!("{var}={value:?} has unbalanced quotes"))?;
        Ok(if words.is_empty() {
            vec![default.to_string()]
        } else {
            words
        })
    };
    let cc = command("CC", "cc")?;
    let cxx = command("CXX", "c++")?;
    let version = first_line(Path::new(&cc[0]), "--version")
        .map_err(|why| format!("C compiler `{}`: {why}", cc[0]))?;
    Ok(PlatformCompiler { cc, cxx, version })
}

/// The first line a tool prints for `arg`, remembered per binary in the user's cache: each
/// probe is a process start (zig's binary is 185 MB) on every build, while the answer
/// changes only with the file. The key is the resolved file's identity, size and times, so
/// a replaced or upgraded tool is asked again.
fn first_line(program: &Path, arg: &str) -> Result<String, String> {
    let answers = tool_home::cache_dir().map(|dir| dir.join("probes"));
    remembered_first_line(answers.as_deref(), program, arg)
}

/// `first_line`, with the answers kept in `answers`.
fn remembered_first_line(
    answers: Option<&Path>,
    program: &Path,
    arg: &str,
) -> Result<String, String> {
    let remembered = answers.and_then(|dir| answer_file(dir, program, arg));
    if let Some(line) = remembered
        .as_ref()
        .and_then(|file| std::fs::read_to_string(file).ok())
    {
        return Ok(line);
    }
    let line = ask(program, arg)?;
    if let Some(file) = remembered {
        // Only a cache: a failure to write it costs the next build one more probe.
        let _ = remember(&file, &line);
    }
    Ok(line)
}

/// Where the answer of `program arg` is kept: `<answers>/<key>`.
fn answer_file(answers: &Path, program: &Path, arg: &str) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::MetadataExt;

    let resolved = if program.components().count() > 1 {
        program.to_path_buf()
    } else {
        on_path(
            std::env::var_os("PATH").as_ref(),
            &program.to_string_lossy(),
        )?
    };
    let file = std::fs::metadata(&resolved).ok()?;
    let key = Sha256::digest(format!(
        "{}\0{arg}\0{}:{}:{}:{}.{}:{}.{}",
        resolved.display(),
        file.dev(),
        file.ino(),
        file.size(),
        file.mtime(),
        file.mtime_nsec(),
        file.ctime(),
        file.ctime_nsec(),
    ));
    let name: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
    Some(answers.join(name))
}

/// How many answers are kept: each isolated build's temporary `ziglang` zig leaves one.
const KEPT_ANSWERS: usize = 64;

/// Writes an answer through a temporary sibling, so a concurrent build never reads half,
/// and removes the oldest answers beyond `KEPT_ANSWERS` (one of those asked again costs a
/// single probe).
fn remember(file: &Path, line: &str) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, line.as_bytes())?;
    temp.persist(file).map_err(|err| err.error)?;
    let mut answers: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    answers.sort();
    let surplus = answers.len().saturating_sub(KEPT_ANSWERS);
    for (_, old) in &answers[..surplus] {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
}

/// Runs `program arg` and returns the first line it prints.
fn ask(program: &Path, arg: &str) -> Result<String, String> {
    let output = Command::new(program)
        .arg(arg)
        .output()
        .map_err(|err| format!("cannot run it ({err})"))?;
    if !output.status.success() {
        return Err(format!("`{arg}` failed with {}", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string())
}

/// Runs `zig version` and checks the series.
fn probe(path: &Path, origin: &str) -> Result<Zig, String> {
    let version = first_line(path, "version")?;
    if !version.starts_with(SUPPORTED_SERIES) {
        return Err(format!(
            "version {version}, but zlig needs {SUPPORTED_SERIES}x"
        ));
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
    use std::os::unix::fs::PermissionsExt;

    fn fake_zig(dir: &Path, version: &str) -> PathBuf {
        let path = dir.join("zig");
        std::fs::write(&path, format!("#!/bin/sh\necho {version}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn ziglang_wins_over_path_and_wrong_versions_are_explained() {
        let good = tempfile::tempdir().unwrap();
        let old = tempfile::tempdir().unwrap();
        let candidates = ZigCandidates {
            explicit: None,
            ziglang: Some(fake_zig(old.path(), "0.13.0")),
            path: Some(good.path().as_os_str().to_owned()),
        };
        fake_zig(good.path(), "0.17.0");
        let zig = candidates.find().unwrap();
        assert_eq!(
            (zig.origin.as_str(), zig.version.as_str()),
            ("PATH", "0.17.0")
        );

        let none = ZigCandidates {
            path: None,
            ..candidates
        };
        let err = none.find().unwrap_err();
        assert!(
            err.contains("version 0.13.0, but zlig needs 0.17.x"),
            "{err}"
        );
        assert!(err.contains("zig on PATH: not found"), "{err}");
    }

    #[test]
    fn answers_are_remembered_until_the_tool_changes() {
        let tool = tempfile::tempdir().unwrap();
        let answers = tempfile::tempdir().unwrap();
        let runs = tool.path().join("runs");
        let zig = tool.path().join("zig");
        let script = |version: &str| {
            format!(
                "#!/bin/sh\necho run >> {}\necho {version}\n",
                runs.display()
            )
        };
        std::fs::write(&zig, script("0.17.0")).unwrap();
        std::fs::set_permissions(&zig, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ask = || remembered_first_line(Some(answers.path()), &zig, "version").unwrap();
        assert_eq!((ask(), ask()), ("0.17.0".into(), "0.17.0".into()));
        assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 1);
        // An upgrade in place changes the file's times and size: asked again.
        std::fs::write(&zig, script("0.17.10")).unwrap();
        assert_eq!(ask(), "0.17.10");
        assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 2);
    }

    #[test]
    fn only_the_newest_answers_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        for i in 0..KEPT_ANSWERS as u64 + 5 {
            let file = std::fs::File::create(dir.path().join(format!("old{i}"))).unwrap();
            file.set_modified(epoch + std::time::Duration::from_secs(1000 + i))
                .unwrap();
        }
        remember(&dir.path().join("new"), "zig 0.17.0").unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left.len(), KEPT_ANSWERS);
        assert!(left.contains(&"new".to_string()));
        assert!(!left.contains(&"old5".to_string()) && left.contains(&"old6".to_string()));
    }

    #[test]
    fn explicit_zig_is_used_or_reported_alone() {
        let candidates = ZigCandidates {
            explicit: Some("/nonexistent/zig".into()),
            ..Default::default()
        };
        let err = candidates.find().unwrap_err();
        assert!(
            err.starts_with("ZLIG_ZIG=/nonexistent/zig: cannot run it"),
            "{err}"
        );
    }
}
