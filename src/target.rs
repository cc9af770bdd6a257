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
    /// Its PEP 739 `build-details.json`, where it installed one (Python 3.14 and later, in
    /// the standard library folder).
    #[serde(default)]
    pub build_details: Option<PathBuf>,
}

impl Interpreter {
    /// The platform triplet of its module names: `SOABI` past the interpreter's part
    /// (`cpython-311-x86_64-linux-gnu` → `x86_64-linux-gnu`), else `EXT_SUFFIX`'s.
    pub fn triplet(&self) -> String {
        let from_soabi = self
            .soabi
            .as_deref()
            .and_then(|soabi| soabi.splitn(3, '-').nth(2));
        let from_suffix = || {
            let stem = self
                .ext_suffix
                .trim_start_matches('.')
                .trim_end_matches(".so");
            stem.splitn(3, '-').nth(2)
        };
        from_soabi
            .or_else(from_suffix)
            .unwrap_or_default()
            .to_string()
    }
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

    /// CPython's platform triplet (`PLATFORM_TRIPLET`, the last part of `SOABI`) with
    /// `libc`: what an interpreter of this platform puts in the names of the modules it
    /// imports. Not always the wheel's arch: `i386-linux-gnu`, `arm-linux-gnueabihf`,
    /// `powerpc64le-linux-gnu` (ZIG.md, section 8).
    pub fn triplet(self, libc: Libc) -> String {
        let cpu = match self {
            Self::I686 => "i386",
            Self::Armv7l => "arm",
            Self::Ppc64le => "powerpc64le",
            other => other.wheel_name(),
        };
        let abi = match libc {
            Libc::Gnu { .. } => "gnu",
            Libc::Musl => "musl",
        };
        let eabihf = if self == Self::Armv7l { "eabihf" } else { "" };
        format!("{cpu}-linux-{abi}{eabihf}")
    }

    /// The oldest glibc zig provides for this arch (ZIG.md, section 8): its glibc stubs
    /// start at 2.19 for ppc64le and 2.27 for riscv64.
    pub fn oldest_glibc(self) -> (u32, u32) {
        match self {
            Self::Ppc64le => (2, 19),
            Self::Riscv64 => (2, 27),
            _ => (2, 17),
        }
    }

    /// The glibc a wheel is built against by default: the oldest zig provides that a
    /// manylinux policy covers (auditwheel's riscv64 policies start at 2.31).
    pub fn default_glibc(self) -> (u32, u32) {
        match self {
            Self::Riscv64 => (2, 31),
            other => other.oldest_glibc(),
        }
    }

    /// Why a cross build for this arch with `libc` is refused: zlig accepts only targets
    /// whose modules its test suite runs on a real interpreter of that platform (Debian's
    /// python3.11 under qemu-user), and has no such interpreter for these.
    fn unproven(self, libc: Libc) -> Option<&'static str> {
        match (self, libc) {
            (_, Libc::Musl) => Some(
                "zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl",
            ),
            (Self::Riscv64, _) => Some(
                "zlig has no riscv64 interpreter to run its modules on (Debian 12 has no riscv64 port), so riscv64 wheels are built only by a Python running on riscv64",
            ),
            _ => None,
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

/// The newest glibc zig 0.17 knows: asked for a newer one, it warns and links against
/// this one instead, so the wheel would claim a glibc its modules were not built for.
/// tests/test_targets.py checks it against `zig targets`.
pub const NEWEST_GLIBC: (u32, u32) = (2, 44);

/// A `target` as the user wrote it, parsed: `aarch64-linux-gnu.2.28`, `x86_64-linux-musl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetSpec {
    pub arch: Arch,
    pub libc: Libc,
}

impl fmt::Display for TargetSpec {
    /// As the user writes it: `ppc64le-linux-gnu.2.19`, `x86_64-linux-musl`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.libc {
            Libc::Gnu { major, minor } => write!(f, "{}-linux-gnu.{major}.{minor}", self.arch),
            Libc::Musl => write!(f, "{}-linux-musl", self.arch),
        }
    }
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
    #[error(
        "glibc {}.{} is older than zig provides for {arch}: {}.{} is the oldest",
        given.0, given.1, arch.oldest_glibc().0, arch.oldest_glibc().1
    )]
    GlibcTooOld { arch: Arch, given: (u32, u32) },
    #[error(
        "glibc {}.{} is newer than zig knows: {}.{} is the newest",
        given.0, given.1, NEWEST_GLIBC.0, NEWEST_GLIBC.1
    )]
    GlibcTooNew { given: (u32, u32) },
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
                    arch.default_glibc()
                } else {
                    version
                        .split_once('.')
                        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                        .ok_or_else(|| TargetSpecError::BadGlibc(version.to_string()))?
                };
                if (major, minor) < arch.oldest_glibc() {
                    return Err(TargetSpecError::GlibcTooOld {
                        arch,
                        given: (major, minor),
                    });
                }
                if (major, minor) > NEWEST_GLIBC {
                    return Err(TargetSpecError::GlibcTooNew {
                        given: (major, minor),
                    });
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
    /// A cross target no interpreter in zlig's tests proves (`Arch::unproven`).
    #[error(
        "zlig cannot prove that modules built for {target} work: {why}; the targets zlig builds for from another platform are {}",
        supported_cross_targets()
    )]
    Unproven { target: String, why: &'static str },
}

/// The cross targets zlig accepts, for messages: those its tests prove.
pub fn supported_cross_targets() -> String {
    let proven: Vec<String> = Arch::ALL
        .iter()
        .filter(|arch| {
            arch.unproven(Libc::Gnu {
                major: 2,
                minor: 17,
            })
            .is_none()
        })
        .map(|arch| format!("{arch}-linux-gnu"))
        .collect();
    format!("{} (each optionally with `.<glibc>`)", proven.join(", "))
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
                let (major, minor) = host_arch.default_glibc();
                Libc::Gnu { major, minor }
            },
        });
        let native = arch == host_arch && matches!(libc, Libc::Musl) == host_musl;
        if let Some(why) = arch.unproven(libc).filter(|_| !native) {
            return Err(TargetError::Unproven {
                target: TargetSpec { arch, libc }.to_string(),
                why,
            });
        }
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
            format!(".{}-{}.so", soabi_prefix(interpreter), arch.triplet(libc))
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

/// The interpreter's part of `SOABI`, before the platform triplet: `cpython-311`,
/// `cpython-313t`, `pypy310-pp73`; what a cross build's module names start with.
fn soabi_prefix(interpreter: &Interpreter) -> String {
    match &interpreter.soabi {
        Some(soabi) if soabi.split('-').count() > 2 => {
            soabi.split('-').take(2).collect::<Vec<_>>().join("-")
        }
        _ => {
            let (major, minor) = interpreter.version;
            let t = if interpreter.gil_disabled { "t" } else { "" };
            format!("cpython-{major}{minor}{t}")
        }
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
            build_details: None,
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
    fn cross_targets_name_modules_with_cpythons_platform_triplet() {
        for (triple, zig, suffix) in [
            (
                "aarch64-linux-gnu.2.28",
                "aarch64-linux-gnu.2.28",
                ".cpython-311-aarch64-linux-gnu.so",
            ),
            (
                "i686-linux-gnu",
                "x86-linux-gnu.2.17",
                ".cpython-311-i386-linux-gnu.so",
            ),
            (
                "armv7l-linux-gnueabihf",
                "arm-linux-gnueabihf.2.17",
                ".cpython-311-arm-linux-gnueabihf.so",
            ),
            (
                "ppc64le-linux-gnu",
                "powerpc64le-linux-gnu.2.19",
                ".cpython-311-powerpc64le-linux-gnu.so",
            ),
            (
                "s390x-linux-gnu",
                "s390x-linux-gnu.2.17",
                ".cpython-311-s390x-linux-gnu.so",
            ),
        ] {
            let target = resolve(triple);
            assert_eq!(
                (target.zig_triple.as_str(), target.ext_suffix.as_str()),
                (zig, suffix)
            );
            assert!(!target.native);
        }
    }

    #[test]
    fn cross_builds_keep_the_interpreters_part_of_the_suffix() {
        let mut pypy = cpython311();
        pypy.implementation = "pypy".into();
        pypy.soabi = Some("pypy310-pp73-x86_64-linux-gnu".into());
        let s390x = "s390x-linux-gnu".parse().unwrap();
        let target = Target::resolve(&pypy, Some(&s390x)).unwrap();
        assert_eq!(target.ext_suffix, ".pypy310-pp73-s390x-linux-gnu.so");
        let mut ft = cpython311();
        ft.version = (3, 13);
        ft.gil_disabled = true;
        ft.soabi = Some("cpython-313t-x86_64-linux-gnu".into());
        let target = Target::resolve(&ft, Some(&s390x)).unwrap();
        assert_eq!(target.ext_suffix, ".cpython-313t-s390x-linux-gnu.so");
        assert_eq!(cpython311().triplet(), "x86_64-linux-gnu");
    }

    #[test]
    fn the_default_glibc_is_the_oldest_zig_provides_and_manylinux_covers() {
        for (arch, glibc) in [
            ("x86_64", "2.17"),
            ("aarch64", "2.17"),
            ("ppc64le", "2.19"),
            ("riscv64", "2.31"),
        ] {
            let spec: TargetSpec = format!("{arch}-linux-gnu").parse().unwrap();
            assert_eq!(spec.to_string(), format!("{arch}-linux-gnu.{glibc}"));
        }
        let mut ppc = cpython311();
        ppc.machine = "ppc64le".into();
        let native = Target::resolve(&ppc, None).unwrap();
        assert_eq!(native.zig_triple, "powerpc64le-linux-gnu.2.19");
    }

    #[test]
    fn unproven_cross_targets_are_refused_and_native_ones_built() {
        let interpreter = cpython311();
        let report: Vec<String> = [
            "x86_64-linux-musl",
            "aarch64-linux-musl",
            "riscv64-linux-gnu",
        ]
        .into_iter()
        .map(|triple| {
            let err = Target::resolve(&interpreter, Some(&triple.parse().unwrap()))
                .unwrap_err()
                .to_string();
            format!("{triple}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r"
            x86_64-linux-musl
            → zlig cannot prove that modules built for x86_64-linux-musl work: zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)

            aarch64-linux-musl
            → zlig cannot prove that modules built for aarch64-linux-musl work: zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)

            riscv64-linux-gnu
            → zlig cannot prove that modules built for riscv64-linux-gnu.2.31 work: zlig has no riscv64 interpreter to run its modules on (Debian 12 has no riscv64 port), so riscv64 wheels are built only by a Python running on riscv64; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
            ");
        let mut musl = cpython311();
        musl.ext_suffix = ".cpython-311-x86_64-linux-musl.so".into();
        let target = Target::resolve(&musl, None).unwrap();
        assert!(target.native && target.libc == Libc::Musl);
        let mut riscv = cpython311();
        riscv.machine = "riscv64".into();
        assert_eq!(
            Target::resolve(&riscv, None).unwrap().zig_triple,
            "riscv64-linux-gnu.2.31"
        );
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
        let report: Vec<String> = [
            "x86_64-windows-gnu",
            "sparc-linux-gnu",
            "x86_64-linux-gnu.2.5",
            "ppc64le-linux-gnu.2.17",
            "x86_64-linux-gnu.2.45",
            "x86_64",
        ]
        .into_iter()
        .map(|triple| {
            let err = triple.parse::<TargetSpec>().unwrap_err().explained();
            format!("{triple}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r"
            x86_64-windows-gnu
            → unsupported operating system `windows`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64

            sparc-linux-gnu
            → unknown architecture `sparc`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64

            x86_64-linux-gnu.2.5
            → glibc 2.5 is older than zig provides for x86_64: 2.17 is the oldest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64

            ppc64le-linux-gnu.2.17
            → glibc 2.17 is older than zig provides for ppc64le: 2.19 is the oldest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64

            x86_64-linux-gnu.2.45
            → glibc 2.45 is newer than zig knows: 2.44 is the newest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64

            x86_64
            → not a target triple; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
            ");
    }
}
