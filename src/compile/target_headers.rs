//! The Python headers a compile reads, stating the target's data model.
//!
//! Python's headers are the same on every platform but for `pyconfig.h`, which states the
//! data model of the platform the interpreter was built for: the size of `long` and of a
//! pointer, the byte order, the alignments (ZIG.md, section 8). A native build reads the
//! interpreter's own headers. A cross build reads a folder zlig makes in the user cache:
//! the interpreter's headers (links to them) with a `pyconfig.h` that is the interpreter's
//! with the target's data model put over it, derived from zig (`DataModel`: a probe
//! compiled for the target, its sizes read back from the object's symbols, remembered per
//! zig version and target). Given the target interpreter's own headers (`python-include`),
//! the folder holds those, with their own `pyconfig.h`, after a check that they are of the
//! target's data model and Python version. Debian's `pyconfig.h`, a switch over
//! multiarch folders, is followed to the platform's own.
//!
//! The folder's name is a hash of what it holds, so that a compile command naming it
//! names its content too (the object cache keys on the command).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::compile::tool_home;
use crate::compile::toolchain::Zig;
use crate::error::{IoContext, Result};
use crate::project::toml::Located;
use crate::target::Target;
use crate::trust;

/// The probe whose object states the target's data model: each `zlig_SIZEOF_X` and
/// `zlig_ALIGNOF_X` symbol is as large as the value, each `zlig_FLAG_X` is 2 bytes when
/// the flag holds (1 when not, absent where the preprocessor decides). Compiled with the
/// feature macros `pyconfig.h` sets, which change `off_t` and `fpos_t` on 32-bit targets.
const PROBE: &str = r#"#define _GNU_SOURCE 1
#define _FILE_OFFSET_BITS 64
#define _LARGEFILE_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <pthread.h>
#include <wchar.h>
#define SIZE(name, type) char zlig_SIZEOF_##name[sizeof(type)];
#define ALIGN(name, type) char zlig_ALIGNOF_##name[_Alignof(type)];
#define FLAG(name, holds) char zlig_FLAG_##name[(holds) ? 2 : 1];
SIZE(DOUBLE, double) SIZE(FLOAT, float) SIZE(FPOS_T, fpos_t) SIZE(INT, int) SIZE(LONG, long)
SIZE(LONG_DOUBLE, long double) SIZE(LONG_LONG, long long) SIZE(OFF_T, off_t)
SIZE(PID_T, pid_t) SIZE(PTHREAD_KEY_T, pthread_key_t) SIZE(PTHREAD_T, pthread_t)
SIZE(SHORT, short) SIZE(SIZE_T, size_t) SIZE(TIME_T, time_t) SIZE(UINTPTR_T, uintptr_t)
SIZE(VOID_P, void *) SIZE(WCHAR_T, wchar_t) SIZE(_BOOL, _Bool)
ALIGN(LONG, long) ALIGN(SIZE_T, size_t) ALIGN(MAX_ALIGN_T, max_align_t)
FLAG(BIG_ENDIAN, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#ifdef __FLOAT_WORD_ORDER__
FLAG(FLOAT_WORDS_BIG_ENDIAN, __FLOAT_WORD_ORDER__ == __ORDER_BIG_ENDIAN__)
#else
FLAG(FLOAT_WORDS_BIG_ENDIAN, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#endif
FLAG(WCHAR_UNSIGNED, (wchar_t)-1 > 0)
#ifdef __SIZEOF_INT128__
FLAG(INT128, 1)
#endif
#ifdef __x86_64__
FLAG(X86_64, 1)
#endif
#ifdef __i386__
FLAG(I386, 1)
#endif
"#;

/// Bumped when `PROBE` or what is read from it changes, so remembered models are derived
/// again.
const PROBE_VERSION: u32 = 1;

/// Why the target's headers could not be made.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    #[error("deriving the data model of {triple} with zig failed:\n{output}")]
    Probe { triple: String, output: String },
    #[error("the data model probe for {triple} lacks `{symbol}`")]
    ProbeIncomplete { triple: String, symbol: String },
    #[error(
        "{} has no pyconfig.h for {triplet}: it is Debian's switch between platforms, and {} is not there",
        .include_dir.display(), .wanted.display()
    )]
    NoPlatformPyconfig {
        include_dir: PathBuf,
        triplet: String,
        wanted: PathBuf,
    },
    #[error(
        "the C headers of Python {major}.{minor} are not installed: {} has no Python.h. {}",
        .include_dir.display(), packages(.implementation, *.major, *.minor)
    )]
    NotInstalled {
        implementation: String,
        major: u32,
        minor: u32,
        include_dir: PathBuf,
    },
    #[error(
        "{message} (the running interpreter's own build-details.json; `-C python-include=DIR` names its headers instead)"
    )]
    HostBuildDetails { message: String },
}

/// Which package gives an interpreter's C headers, where that is a package of its own.
fn packages(implementation: &str, major: u32, minor: u32) -> String {
    if implementation != "cpython" {
        return format!("Install the package of {implementation}'s C headers.");
    }
    format!(
        "Linux distributions put them in a package of their own: python{major}.{minor}-dev on Debian and Ubuntu, python3-devel (python{major}.{minor}-devel for another than the system's Python) on Fedora and RHEL, python{major}{minor}-devel on openSUSE, python3-dev on Alpine."
    )
}

/// The data model of a target: sizes and alignments, byte order, and the other facts
/// `pyconfig.h` states about the platform.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataModel {
    /// `SIZEOF_LONG` → 8, `ALIGNOF_SIZE_T` → 8, ….
    pub sizes: BTreeMap<String, u32>,
    /// The flags that hold: `BIG_ENDIAN`, `FLOAT_WORDS_BIG_ENDIAN`, `WCHAR_UNSIGNED`,
    /// `INT128`, `X86_64`, `I386`.
    pub flags: BTreeSet<String>,
}

impl DataModel {
    /// The model of zig's `triple`, remembered in the user cache per zig version and
    /// triple (a compile of 50 ms, but a process start of a 185 MB binary).
    pub fn of(zig: &Zig, triple: &str) -> Result<Self> {
        let remembered = tool_home::writable_cache_dir().map(|dir| {
            dir.join("data-models")
                .join(format!("zig-{}-probe{PROBE_VERSION}", zig.version))
                .join(format!("{triple}.json"))
        });
        if let Some(model) = remembered
            .as_ref()
            .filter(|file| trust::why_unsafe(file).is_none())
            .and_then(|file| std::fs::read(file).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        {
            return Ok(model);
        }
        let model = Self::derive(zig, triple)?;
        if let Some(file) = remembered {
            // Only a cache: a failure to write it costs the next build one more probe.
            let _ =
                tool_home::write_atomically(&file, &serde_json::to_vec(&model).unwrap_or_default());
        }
        Ok(model)
    }

    /// Compiles `PROBE` for `triple` and reads the model from the object.
    fn derive(zig: &Zig, triple: &str) -> Result<Self> {
        let dir = tempfile::tempdir().context(|| "creating a folder for the probe".into())?;
        let source = dir.path().join("probe.c");
        let object = dir.path().join("probe.o");
        std::fs::write(&source, PROBE).context(|| format!("writing {}", source.display()))?;
        zig_cc(
            zig,
            triple,
            [
                "-c".as_ref(),
                source.as_os_str(),
                "-o".as_ref(),
                object.as_os_str(),
            ],
        )?;
        let bytes = std::fs::read(&object).context(|| format!("reading {}", object.display()))?;
        Ok(Self::from_object(&bytes, triple)?)
    }

    /// The model stated by the probe's object file.
    fn from_object(bytes: &[u8], triple: &str) -> std::result::Result<Self, HeaderError> {
        let elf = goblin::elf::Elf::parse(bytes).map_err(|err| HeaderError::Probe {
            triple: triple.into(),
            output: format!("its object is not a readable ELF file ({err})"),
        })?;
        let mut sizes = BTreeMap::new();
        let mut flags = BTreeSet::new();
        for symbol in elf.syms.iter() {
            let Some(name) = elf.strtab.get_at(symbol.st_name) else {
                continue;
            };
            if let Some(flag) = name.strip_prefix("zlig_FLAG_") {
                if symbol.st_size == 2 {
                    flags.insert(flag.to_string());
                }
            } else if let Some(size) = name.strip_prefix("zlig_") {
                sizes.insert(size.to_string(), symbol.st_size as u32);
            }
        }
        for needed in ["SIZEOF_VOID_P", "SIZEOF_LONG", "SIZEOF_SIZE_T"] {
            if !sizes.contains_key(needed) {
                return Err(HeaderError::ProbeIncomplete {
                    triple: triple.into(),
                    symbol: needed.into(),
                });
            }
        }
        Ok(Self { sizes, flags })
    }

    fn holds(&self, flag: &str) -> bool {
        self.flags.contains(flag)
    }

    /// `8-byte pointers, 4-byte long, little-endian`: what tells platforms apart, for
    /// messages.
    pub fn summary(&self) -> String {
        let size = |name: &str| self.sizes.get(name).copied().unwrap_or(0);
        let order = if self.holds("BIG_ENDIAN") {
            "big-endian"
        } else {
            "little-endian"
        };
        format!(
            "{}-byte pointers, {}-byte long, {order}",
            size("SIZEOF_VOID_P"),
            size("SIZEOF_LONG")
        )
    }

    /// The lines that put this model over a host's `pyconfig.h`: every `SIZEOF_`/`ALIGNOF_`
    /// macro the host defines, with the target's value, and the platform flags defined or
    /// undefined as the target's `configure` would have.
    pub fn overlay(&self, host: &PyConfig) -> String {
        let mut out = String::new();
        for (name, value) in &self.sizes {
            if host.defines(name) {
                out.push_str(&format!("#undef {name}\n#define {name} {value}\n"));
            }
        }
        let big = self.holds("BIG_ENDIAN");
        let long_size = self.sizes.get("SIZEOF_LONG");
        let off_t_size = self.sizes.get("SIZEOF_OFF_T");
        let wchar_size = self.sizes.get("SIZEOF_WCHAR_T").copied().unwrap_or(0);
        let x86 = self.holds("X86_64") || self.holds("I386");
        let switches = [
            ("WORDS_BIGENDIAN", big),
            ("DOUBLE_IS_BIG_ENDIAN_IEEE754", big),
            ("DOUBLE_IS_LITTLE_ENDIAN_IEEE754", !big),
            ("DOUBLE_IS_ARM_MIXED_ENDIAN_IEEE754", false),
            (
                "FLOAT_WORDS_BIGENDIAN",
                self.holds("FLOAT_WORDS_BIG_ENDIAN"),
            ),
            ("HAVE_GCC_UINT128_T", self.holds("INT128")),
            ("HAVE_GCC_ASM_FOR_X64", self.holds("X86_64")),
            ("HAVE_GCC_ASM_FOR_X87", x86),
            ("HAVE_GCC_ASM_FOR_MC68881", false),
            // CPython's configure finds double rounding where doubles live in x87
            // registers, as in i386 builds of the interpreter.
            ("X87_DOUBLE_ROUNDING", self.holds("I386")),
            ("HAVE_LARGEFILE_SUPPORT", off_t_size > long_size),
            // configure: "wchar_t must be an unsigned type with at least 16 bits".
            (
                "HAVE_USABLE_WCHAR_T",
                self.holds("WCHAR_UNSIGNED") && wchar_size >= 2,
            ),
        ];
        for (name, holds) in switches {
            out.push_str(&format!("#undef {name}\n"));
            if holds {
                out.push_str(&format!("#define {name} 1\n"));
            }
        }
        out
    }
}

/// A `pyconfig.h`: where it is and what it says.
#[derive(Debug, Clone)]
pub struct PyConfig {
    pub path: PathBuf,
    pub text: String,
}

impl PyConfig {
    /// The `pyconfig.h` of `include_dir` for the platform `triplet`: the file itself, or,
    /// where it is Debian's switch over multiarch folders (`#include
    /// <s390x-linux-gnu/python3.11/pyconfig.h>`), the platform's own, beside the include
    /// dir's parent.
    pub fn find(include_dir: &Path, triplet: &str) -> Result<Self> {
        let path = include_dir.join("pyconfig.h");
        let text =
            std::fs::read_to_string(&path).context(|| format!("reading {}", path.display()))?;
        let config = Self { path, text };
        let switched: Vec<&str> = config.included_pyconfigs().collect();
        if config.defines("SIZEOF_VOID_P") || switched.is_empty() {
            return Ok(config);
        }
        let base = include_dir.parent().unwrap_or(include_dir);
        let wanted = switched
            .iter()
            .find(|inc| inc.split('/').next() == Some(triplet))
            .map(|inc| base.join(inc));
        match wanted {
            Some(wanted) if wanted.is_file() => {
                let text = std::fs::read_to_string(&wanted)
                    .context(|| format!("reading {}", wanted.display()))?;
                Ok(Self { path: wanted, text })
            }
            _ => {
                let name = include_dir.file_name().unwrap_or_default();
                Err(HeaderError::NoPlatformPyconfig {
                    include_dir: include_dir.to_path_buf(),
                    triplet: triplet.into(),
                    wanted: base.join(triplet).join(name).join("pyconfig.h"),
                }
                .into())
            }
        }
    }

    /// The `<…/pyconfig.h>` files a Debian switch includes.
    fn included_pyconfigs(&self) -> impl Iterator<Item = &str> {
        self.text.lines().filter_map(|line| {
            let rest = line.trim_start().strip_prefix('#')?.trim_start();
            let name = rest.strip_prefix("include")?.trim();
            let name = name.strip_prefix('<')?.strip_suffix('>')?;
            name.ends_with("/pyconfig.h").then_some(name)
        })
    }

    /// The value of `#define name value`, at the start of a line (indented or not).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix('#')?.trim_start();
            let rest = rest.strip_prefix("define")?;
            let mut words = rest.split_whitespace();
            (words.next() == Some(name)).then(|| words.next().unwrap_or(""))
        })
    }

    /// Whether `name` is defined (to anything).
    pub fn defines(&self, name: &str) -> bool {
        self.value(name).is_some()
    }

    /// Every macro the file defines for `triple`, as zig's preprocessor leaves them: the
    /// file's conditions evaluated (autoconf's `WORDS_BIGENDIAN` block names it in an
    /// `#if` branch for Apple's universal builds).
    pub fn evaluated(&self, zig: &Zig, triple: &str) -> Result<BTreeMap<String, String>> {
        let args = ["-E".as_ref(), "-dM".as_ref(), "-x".as_ref(), "c".as_ref()];
        let output = zig_cc(zig, triple, [&args[..], &[self.path.as_os_str()]].concat())?;
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                let mut words = line.strip_prefix("#define ")?.splitn(2, ' ');
                let name = words.next()?.to_string();
                Some((name, words.next().unwrap_or("").to_string()))
            })
            .collect())
    }
}

/// The `(major, minor)` version of the headers in `include_dir`, from `patchlevel.h`.
fn headers_version(include_dir: &Path) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(include_dir.join("patchlevel.h")).ok()?;
    let config = PyConfig {
        path: PathBuf::new(),
        text,
    };
    let number = |name| config.value(name)?.parse().ok();
    Some((number("PY_MAJOR_VERSION")?, number("PY_MINOR_VERSION")?))
}

/// The include dir a build for `target` names: the interpreter's own for a native build
/// whose `pyconfig.h` is a plain file; else a folder in the user cache (`cache`, else the
/// build dir's) with the right `pyconfig.h` for the target. `given` is the target
/// interpreter's include dir from `python-include`.
pub fn include_dir(
    target: &Target,
    host_triplet: &str,
    zig: Option<&Zig>,
    given: Option<&Located<String>>,
    fallback: &Path,
) -> Result<PathBuf> {
    let triplet = target.arch.triplet(target.libc);
    let home = tool_home::writable_cache_dir()
        .map(|dir| dir.join("python-headers"))
        .unwrap_or_else(|| fallback.join("python-headers"));
    if let Some(given) = given {
        let headers = given_headers(target, &triplet, zig, given)?;
        return mirror(&home, &headers.0, &headers.1.text);
    }
    let host = &target.include_dir;
    if !host.join("Python.h").is_file() {
        let (major, minor) = target.python_version;
        return Err(HeaderError::NotInstalled {
            implementation: target.implementation.clone(),
            major,
            minor,
            include_dir: host.clone(),
        }
        .into());
    }
    let config = PyConfig::find(
        host,
        if target.native {
            &triplet
        } else {
            host_triplet
        },
    )?;
    if target.native {
        if config.path == host.join("pyconfig.h") {
            return Ok(host.clone());
        }
        return mirror(&home, host, &config.text);
    }
    let zig = zig.ok_or_else(|| {
        crate::error::ConfigError::without_place(
            Path::new("config_settings"),
            "target",
            format!(
                "a build for {} derives the target's data model with zig, and no zig was found; or give the target interpreter's headers with `-C python-include=DIR`",
                target.zig_triple
            ),
        )
    })?;
    let model = DataModel::of(zig, &target.zig_triple)?;
    let heading = format!(
        "zlig: the data model of {}, derived from zig {}, over that of {}",
        target.zig_triple,
        zig.version,
        config.path.display(),
    );
    let text = format!(
        "{}\n{}\n{}",
        config.text.trim_end(),
        c_comment(&heading),
        model.overlay(&config)
    );
    mirror(&home, host, &text)
}

/// `text` as a C comment on one line: control characters (a line break would put the rest
/// of a path on a line of code) written as Rust escapes, and `*/` broken, so that nothing
/// in a folder's name can end the comment early.
fn c_comment(text: &str) -> String {
    format!(
        "/* {} */",
        text.escape_debug().to_string().replace("*/", "*\\/")
    )
}

/// The checked headers of `python-include`: the folder and its `pyconfig.h`.
fn given_headers(
    target: &Target,
    triplet: &str,
    zig: Option<&Zig>,
    given: &Located<String>,
) -> Result<(PathBuf, PyConfig)> {
    let dir = std::path::absolute(&given.value).unwrap_or_else(|_| PathBuf::from(&given.value));
    if !dir.join("Python.h").is_file() {
        return Err(given.error(format!(
            "expected the folder holding the target interpreter's Python.h; {} has none",
            dir.display()
        )));
    }
    let version = headers_version(&dir);
    if version != Some(target.python_version) {
        let (major, minor) = target.python_version;
        let theirs = version.map_or("of an unknown version".to_string(), |(a, b)| {
            format!("Python {a}.{b}'s")
        });
        return Err(given.error(format!(
            "these headers are {theirs}, and the build is for Python {major}.{minor} (the interpreter running zlig)"
        )));
    }
    let config = PyConfig::find(&dir, triplet).map_err(|err| given.error(err))?;
    if let Some(zig) = zig {
        let model = DataModel::of(zig, &target.zig_triple)?;
        let theirs = config.evaluated(zig, &target.zig_triple)?;
        let size = |name: &str| theirs.get(name).and_then(|v| v.parse::<u32>().ok());
        let agree = ["SIZEOF_VOID_P", "SIZEOF_LONG"]
            .iter()
            .all(|name| size(name) == model.sizes.get(*name).copied())
            && theirs.contains_key("WORDS_BIGENDIAN") == model.holds("BIG_ENDIAN");
        if !agree {
            let order = if theirs.contains_key("WORDS_BIGENDIAN") {
                "big-endian"
            } else {
                "little-endian"
            };
            let shown = |name| size(name).map_or("?".to_string(), |v| v.to_string());
            return Err(given.error(format!(
                "{} is of a platform with {}-byte pointers, {}-byte long, {order}, and {} has {}: these are another platform's headers",
                config.path.display(),
                shown("SIZEOF_VOID_P"),
                shown("SIZEOF_LONG"),
                target.zig_triple,
                model.summary()
            )));
        }
    }
    Ok((dir, config))
}

/// `zig cc -target <triple> <args>`, which must succeed: its output, else zig's message.
fn zig_cc<'a>(
    zig: &Zig,
    triple: &str,
    args: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> Result<crate::compile::process::Output> {
    let mut command = zig.command();
    command.args(["cc", "-target", triple]).args(args);
    let output = crate::compile::process::output(&mut command)?;
    if !output.status.success() {
        return Err(HeaderError::Probe {
            triple: triple.into(),
            output: String::from_utf8_lossy(&output.stderr).trim_end().into(),
        }
        .into());
    }
    Ok(output)
}

/// A folder in `home` holding links to every entry of `include_dir` but `pyconfig.h`, which
/// is `pyconfig` instead; named by a hash of both, made once, and made again when another
/// user could have changed it or its `pyconfig.h` is not `pyconfig`. Headers found through
/// the links include `pyconfig.h` from the folder they were found in (the compiler does not
/// resolve the links), or through the include path, which names this folder.
fn mirror(home: &Path, include_dir: &Path, pyconfig: &str) -> Result<PathBuf> {
    let hash = Sha256::digest(
        [
            include_dir.as_os_str().as_encoded_bytes(),
            b"\0",
            pyconfig.as_bytes(),
        ]
        .concat(),
    );
    let name: String = hash[..12].iter().map(|b| format!("{b:02x}")).collect();
    let folder = home.join(name);
    let whole = trust::why_unsafe_tree(&folder).is_none()
        && std::fs::read_to_string(folder.join("pyconfig.h")).is_ok_and(|text| text == pyconfig);
    if whole {
        return Ok(folder);
    }
    let made = (|| -> std::io::Result<()> {
        trust::create_private_dir_all(home)?;
        let temp = tool_home::private_temp_dir(home)?;
        let mut entries: Vec<_> = std::fs::read_dir(include_dir)?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        entries.sort();
        for entry in entries.iter().filter(|e| *e != "pyconfig.h") {
            std::os::unix::fs::symlink(include_dir.join(entry), temp.path().join(entry))?;
        }
        tool_home::write_atomically(&temp.path().join("pyconfig.h"), pyconfig.as_bytes())?;
        tool_home::remove_aside(&folder)?;
        tool_home::rename_into_place(temp, &folder)
    })();
    made.context(|| format!("making the target's Python headers in {}", folder.display()))?;
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::scrubbed;

    fn s390x() -> DataModel {
        let sizes = [
            ("SIZEOF_LONG", 8),
            ("SIZEOF_VOID_P", 8),
            ("SIZEOF_SIZE_T", 8),
            ("SIZEOF_WCHAR_T", 4),
            ("SIZEOF_OFF_T", 8),
            ("ALIGNOF_MAX_ALIGN_T", 8),
        ];
        DataModel {
            sizes: sizes.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
            flags: ["BIG_ENDIAN", "FLOAT_WORDS_BIG_ENDIAN", "INT128"]
                .map(String::from)
                .into(),
        }
    }

    fn host() -> PyConfig {
        PyConfig {
            path: "/usr/include/python3.11/pyconfig.h".into(),
            text: "#define SIZEOF_LONG 8\n#define SIZEOF_VOID_P 8\n#define HAVE_GCC_ASM_FOR_X64 1\n# ifndef WORDS_BIGENDIAN\n/* #  undef WORDS_BIGENDIAN */\n# endif\n".into(),
        }
    }

    #[test]
    fn the_overlay_sets_the_hosts_size_macros_and_every_platform_switch() {
        let overlay = s390x().overlay(&host());
        insta::assert_snapshot!(overlay);
        // Sizes the host's pyconfig.h does not define (an older Python's) stay undefined.
        assert!(!overlay.contains("ALIGNOF_MAX_ALIGN_T"));
    }

    /// The host's `pyconfig.h` is named in a comment of the target's: a folder's name can
    /// neither end the comment nor add a line.
    #[test]
    fn a_path_in_a_comment_stays_in_it() {
        assert_eq!(
            c_comment("over /usr/include/python3.11/pyconfig.h"),
            "/* over /usr/include/python3.11/pyconfig.h */"
        );
        assert_eq!(
            c_comment("over /x*/\n#define Py_DEBUG 1\n/*/pyconfig.h"),
            "/* over /x*\\/\\n#define Py_DEBUG 1\\n/*\\/pyconfig.h */"
        );
    }

    #[test]
    fn defines_are_read_indented_or_not() {
        let config = PyConfig {
            path: PathBuf::new(),
            text: "#  define WORDS_BIGENDIAN 1\n#define SIZEOF_LONG 4\n/* #undef X */\n".into(),
        };
        assert_eq!(config.value("WORDS_BIGENDIAN"), Some("1"));
        assert_eq!(config.value("SIZEOF_LONG"), Some("4"));
        assert!(!config.defines("X"));
    }

    #[test]
    fn debians_switch_is_followed_to_the_platforms_pyconfig() {
        let root = tempfile::tempdir().unwrap();
        let include = root.path().join("include/python3.11");
        let platform = root.path().join("include/s390x-linux-gnu/python3.11");
        std::fs::create_dir_all(&include).unwrap();
        std::fs::create_dir_all(&platform).unwrap();
        std::fs::write(
            include.join("pyconfig.h"),
            "#if defined(__x86_64__)\n#  include <x86_64-linux-gnu/python3.11/pyconfig.h>\n#elif defined(__s390x__)\n#  include <s390x-linux-gnu/python3.11/pyconfig.h>\n#endif\n",
        )
        .unwrap();
        std::fs::write(platform.join("pyconfig.h"), "#define SIZEOF_VOID_P 8\n").unwrap();
        let found = PyConfig::find(&include, "s390x-linux-gnu").unwrap();
        assert_eq!(found.path, platform.join("pyconfig.h"));
        let err = PyConfig::find(&include, "x86_64-linux-gnu")
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(scrubbed(&err), @"[TMP]/include/python3.11 has no pyconfig.h for x86_64-linux-gnu: it is Debian's switch between platforms, and [TMP]/include/x86_64-linux-gnu/python3.11/pyconfig.h is not there");
    }

    #[test]
    fn headers_that_are_not_installed_are_named_with_the_package_that_has_them() {
        let empty = tempfile::tempdir().unwrap();
        let mut interpreter = crate::target::tests::cpython311();
        interpreter.version = (3, 13);
        interpreter.include_dir = empty.path().join("python3.13");
        let target = Target::resolve(&interpreter, None).unwrap();
        let err = include_dir(&target, "x86_64-linux-gnu", None, None, empty.path())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "the C headers of Python 3.13 are not installed: {}/python3.13 has no Python.h. Linux distributions put them in a package of their own: python3.13-dev on Debian and Ubuntu, python3-devel (python3.13-devel for another than the system's Python) on Fedora and RHEL, python313-devel on openSUSE, python3-dev on Alpine.",
                empty.path().display()
            )
        );
    }

    #[test]
    fn the_mirror_links_every_header_but_pyconfig_and_is_named_by_its_content() {
        let include = tempfile::tempdir().unwrap();
        std::fs::create_dir(include.path().join("cpython")).unwrap();
        std::fs::write(include.path().join("Python.h"), "").unwrap();
        std::fs::write(include.path().join("pyconfig.h"), "host").unwrap();
        let home = tempfile::tempdir().unwrap();
        let a = mirror(home.path(), include.path(), "target a").unwrap();
        let b = mirror(home.path(), include.path(), "target b").unwrap();
        assert_ne!(a, b);
        assert_eq!(mirror(home.path(), include.path(), "target a").unwrap(), a);
        assert_eq!(
            std::fs::read_to_string(a.join("pyconfig.h")).unwrap(),
            "target a"
        );
        assert_eq!(
            std::fs::read_link(a.join("cpython")).unwrap(),
            include.path().join("cpython")
        );
        assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 2);
    }
}
