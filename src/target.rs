//! What we build for: the interpreter's facts and the platform, resolved into the wheel's
//! python and ABI tags, the extension file suffix, the Python include dir and the zig
//! target triple.
//!
//! The interpreter facts come from the Python side (`sys`, `sysconfig`) as plain values.
//! The user's `target` is parsed into a `TargetSpec` where it is read (`project::settings`);
//! `Target::resolve` combines the two. Tags are derived, never copied from `sys_tags()`.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Facts about the running interpreter, gathered by the hooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// `sys.implementation.name`, such as `cpython`.
    pub implementation: String,
    /// `sys.version_info[:2]`.
    pub version: (u32, u32),
    /// `sysconfig.get_config_var("EXT_SUFFIX")`.
    pub ext_suffix: String,
    /// `sysconfig.get_config_var("SOABI")`.
    pub soabi: Option<String>,
    /// `sysconfig.get_paths()["include"]`: where `Python.h` is.
    pub include_dir: PathBuf,
    /// `platform.machine()`, such as `x86_64`.
    pub machine: String,
    /// `sys.platform`, such as `linux`.
    pub platform: String,
    /// Whether this is a free-threaded build (`Py_GIL_DISABLED`).
    pub gil_disabled: bool,
    /// The interpreter a venv was made from (`sys._base_executable`), which outlives a
    /// frontend's temporary build environment.
    #[serde(default)]
    pub base_executable: Option<PathBuf>,
}

/// A CPU architecture zlig can build for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Arch {
    X86_64,
    Aarch64,
    I686,
    Armv7l,
    Ppc64le,
    S390x,
    Riscv64,
}

impl Arch {
    /// Every architecture, for messages.
    pub const ALL: [Self; 7] = [
        Self::X86_64,
        Self::Aarch64,
        Self::I686,
        Self::Armv7l,
        Self::Ppc64le,
        Self::S390x,
        Self::Riscv64,
    ];

    /// The name in wheel tags and `platform_machine`: `x86_64`, `aarch64`, `i686`, ….
    pub fn wheel_name(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Aarch64 => "aarch64",
            Self::I686 => "i686",
            Self::Armv7l => "armv7l",
            Self::Ppc64le => "ppc64le",
            Self::S390x => "s390x",
            Self::Riscv64 => "riscv64",
        }
    }

    /// The name in zig target triples.
    fn zig_name(self) -> &'static str {
        match self {
            Self::I686 => "x86",
            Self::Armv7l => "arm",
            Self::Ppc64le => "powerpc64le",
            other => other.wheel_name(),
        }
    }

    /// The architecture of a `platform.machine()` answer or a zig triple's first part.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "x86_64" | "amd64" | "AMD64" | "x64" => Self::X86_64,
            "aarch64" | "arm64" => Self::Aarch64,
            "i686" | "i386" | "i586" | "x86" => Self::I686,
            "armv7l" | "arm" => Self::Armv7l,
            "ppc64le" | "powerpc64le" => Self::Ppc64le,
            "s390x" => Self::S390x,
            "riscv64" => Self::Riscv64,
            _ => return None,
        })
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wheel_name())
    }
}

impl Serialize for Arch {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wheel_name())
    }
}

/// The C library a Linux target links against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Libc {
    /// glibc, with the minimum version the wheel claims.
    Gnu {
        major: u32,
        minor: u32,
    },
    Musl,
}

/// The glibc that wheels are built against by default: manylinux2014's.
const DEFAULT_GLIBC: (u32, u32) = (2, 17);

/// A `target` as the user wrote it, parsed: `aarch64-linux-gnu.2.28`, `x86_64-linux-musl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetSpec {
    pub arch: Arch,
    pub libc: Libc,
}

/// Why a `target` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetSpecError {
    #[error("not a target triple")]
    NotATriple,
    #[error("unknown architecture `{0}`")]
    UnknownArch(String),
    #[error("unsupported operating system `{0}`")]
    UnsupportedOs(String),
    #[error("unsupported C library `{0}`")]
    UnsupportedLibc(String),
    #[error("bad glibc version `{0}`")]
    BadGlibc(String),
    #[error("glibc older than 2.17 is not supported")]
    GlibcTooOld,
}

impl TargetSpecError {
    /// The message with what a target looks like, for the user.
    pub fn explained(&self) -> String {
        let arches: Vec<&str> = Arch::ALL.iter().map(|a| a.wheel_name()).collect();
        format!(
            "{self}; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: {}",
            arches.join(", ")
        )
    }
}

impl std::str::FromStr for TargetSpec {
    type Err = TargetSpecError;

    fn from_str(triple: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = triple.split('-').collect();
        let [arch, os, abi] = parts.as_slice() else {
            return Err(TargetSpecError::NotATriple);
        };
        let arch =
            Arch::from_name(arch).ok_or_else(|| TargetSpecError::UnknownArch(arch.to_string()))?;
        if *os != "linux" {
            return Err(TargetSpecError::UnsupportedOs(os.to_string()));
        }
        let (abi, version) = abi.split_once('.').unwrap_or((abi, ""));
        let libc = match abi {
            "gnu" | "gnueabihf" => {
                let (major, minor) = if version.is_empty() {
                    DEFAULT_GLIBC
                } else {
                    version
                        .split_once('.')
                        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                        .ok_or_else(|| TargetSpecError::BadGlibc(version.to_string()))?
                };
                if (major, minor) < DEFAULT_GLIBC {
                    return Err(TargetSpecError::GlibcTooOld);
                }
                Libc::Gnu { major, minor }
            }
            "musl" | "musleabihf" if version.is_empty() => Libc::Musl,
            other => return Err(TargetSpecError::UnsupportedLibc(other.to_string())),
        };
        Ok(Self { arch, libc })
    }
}

/// Why there is nothing to build for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("zlig builds Linux wheels for now; this interpreter's platform is `{0}`")]
    NotLinux(String),
    #[error("zlig does not know this interpreter's architecture `{0}`")]
    UnknownMachine(String),
}

/// The resolved build target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The triple handed to zig, such as `x86_64-linux-gnu.2.17`.
    pub zig_triple: String,
    pub arch: Arch,
    pub libc: Libc,
    /// Whether this is the interpreter's own platform (not a cross build).
    pub native: bool,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// The interpreter's `(major, minor)` version.
    pub python_version: (u32, u32),
    /// `cp311`, from the interpreter.
    pub python_tag: String,
    /// `cp311`, `cp313t`, or `pypy310_pp73`.
    pub abi_tag: String,
    /// The suffix of extension files: `.cpython-311-x86_64-linux-gnu.so`.
    pub ext_suffix: String,
    /// The folder holding `Python.h`.
    pub include_dir: PathBuf,
}

impl Target {
    /// Resolves the target from the interpreter and the `target` setting, if any.
    pub fn resolve(
        interpreter: &Interpreter,
        spec: Option<&TargetSpec>,
    ) -> Result<Self, TargetError> {
        if interpreter.platform != "linux" {
            return Err(TargetError::NotLinux(interpreter.platform.clone()));
        }
        let host_arch = Arch::from_name(&interpreter.machine)
            .ok_or_else(|| TargetError::UnknownMachine(interpreter.machine.clone()))?;
        let host_musl = interpreter.ext_suffix.contains("-musl");
        let TargetSpec { arch, libc } = spec.copied().unwrap_or(TargetSpec {
            arch: host_arch,
            libc: if host_musl {
                Libc::Musl
            } else {
                Libc::Gnu {
                    major: DEFAULT_GLIBC.0,
                    minor: DEFAULT_GLIBC.1,
                }
            },
        });
        let native = arch == host_arch && matches!(libc, Libc::Musl) == host_musl;
        let eabihf = if arch == Arch::Armv7l { "eabihf" } else { "" };
        let zig_triple = match libc {
            Libc::Gnu { major, minor } => {
                format!("{}-linux-gnu{eabihf}.{major}.{minor}", arch.zig_name())
            }
            Libc::Musl => format!("{}-linux-musl{eabihf}", arch.zig_name()),
        };
        let ext_suffix = if native {
            interpreter.ext_suffix.clone()
        } else {
            let (major, minor) = interpreter.version;
            let t = if interpreter.gil_disabled { "t" } else { "" };
            let libc_name = if libc == Libc::Musl { "musl" } else { "gnu" };
            format!(".cpython-{major}{minor}{t}-{arch}-linux-{libc_name}.so")
        };
        Ok(Self {
            zig_triple,
            arch,
            libc,
            native,
            implementation: interpreter.implementation.clone(),
            python_version: interpreter.version,
            python_tag: python_tag(interpreter),
            abi_tag: abi_tag(interpreter),
            ext_suffix,
            include_dir: interpreter.include_dir.clone(),
        })
    }

    /// The PEP 508 marker environment of the target (not of the host), for `when` entries.
    pub fn marker_environment(&self) -> pep508_rs::MarkerEnvironment {
        let (major, minor) = self.python_version;
        let version = format!("{major}.{minor}");
        let python_implementation = match self.implementation.as_str() {
            "cpython" => "CPython",
            "pypy" => "PyPy",
            other => other,
        };
        pep508_rs::MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
            implementation_name: &self.implementation,
            implementation_version: &version,
            os_name: "posix",
            platform_machine: self.arch.wheel_name(),
            platform_python_implementation: python_implementation,
            platform_release: "",
            platform_system: "Linux",
            platform_version: "",
            python_full_version: &version,
            python_version: &version,
            sys_platform: "linux",
        })
        .expect("major.minor is a valid version")
    }

    /// The default build dir's name: what a build is specific to.
    pub fn build_dir_name(&self) -> String {
        format!("{}-{}", self.abi_tag, self.zig_triple)
    }
}

/// `cp311` for CPython 3.11, `pp310` for PyPy.
fn python_tag(interpreter: &Interpreter) -> String {
    let (major, minor) = interpreter.version;
    let short = match interpreter.implementation.as_str() {
        "cpython" => "cp",
        "pypy" => "pp",
        other => other,
    };
    format!("{short}{major}{minor}")
}

/// The ABI tag, following `packaging.tags`: `cp311`, `cp313t`, or the SOABI's first two
/// parts for other implementations (`pypy310_pp73`).
fn abi_tag(interpreter: &Interpreter) -> String {
    if interpreter.implementation == "cpython" {
        let t = if interpreter.gil_disabled { "t" } else { "" };
        return format!("{}{t}", python_tag(interpreter));
    }
    match &interpreter.soabi {
        Some(soabi) => soabi
            .split('-')
            .take(2)
            .collect::<Vec<_>>()
            .join("_")
            .replace('.', "_"),
        None => "none".into(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn cpython311() -> Interpreter {
        Interpreter {
            implementation: "cpython".into(),
            version: (3, 11),
            ext_suffix: ".cpython-311-x86_64-linux-gnu.so".into(),
            soabi: Some("cpython-311-x86_64-linux-gnu".into()),
            include_dir: "/usr/include/python3.11".into(),
            machine: "x86_64".into(),
            platform: "linux".into(),
            gil_disabled: false,
            base_executable: None,
        }
    }

    fn resolve(triple: &str) -> Target {
        Target::resolve(&cpython311(), Some(&triple.parse().unwrap())).unwrap()
    }

    #[test]
    fn default_target_is_host_arch_with_glibc_2_17() {
        let target = Target::resolve(&cpython311(), None).unwrap();
        assert_eq!(target.zig_triple, "x86_64-linux-gnu.2.17");
        assert_eq!(
            (target.python_tag.as_str(), target.abi_tag.as_str()),
            ("cp311", "cp311")
        );
        assert_eq!(target.ext_suffix, ".cpython-311-x86_64-linux-gnu.so");
        assert!(target.native);
    }

    #[test]
    fn cross_target_names_files_for_the_target() {
        let target = resolve("aarch64-linux-gnu.2.28");
        assert_eq!(target.zig_triple, "aarch64-linux-gnu.2.28");
        assert_eq!(target.ext_suffix, ".cpython-311-aarch64-linux-gnu.so");
        assert!(!target.native);
        assert_eq!(
            resolve("arm-linux-musleabihf").zig_triple,
            "arm-linux-musleabihf"
        );
        assert_eq!(resolve("i686-linux-gnu").zig_triple, "x86-linux-gnu.2.17");
    }

    #[test]
    fn free_threaded_and_pypy_abi_tags() {
        let mut ft = cpython311();
        ft.gil_disabled = true;
        assert_eq!(abi_tag(&ft), "cp311t");
        let mut pypy = cpython311();
        pypy.implementation = "pypy".into();
        pypy.soabi = Some("pypy310-pp73-x86_64-linux-gnu".into());
        assert_eq!(
            (python_tag(&pypy).as_str(), abi_tag(&pypy).as_str()),
            ("pp311", "pypy310_pp73")
        );
    }

    #[test]
    fn bad_targets_are_explained() {
        for (triple, expected) in [
            (
                "x86_64-windows-gnu",
                "unsupported operating system `windows`",
            ),
            ("sparc-linux-gnu", "unknown architecture `sparc`"),
            ("x86_64-linux-gnu.2.5", "glibc older than 2.17"),
            ("x86_64", "not a target triple"),
        ] {
            let err = triple.parse::<TargetSpec>().unwrap_err().explained();
            assert!(err.starts_with(expected), "{triple}: {err}");
            assert!(
                err.ends_with("x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64"),
                "{err}"
            );
        }
    }
}
