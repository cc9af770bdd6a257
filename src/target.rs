//! What we build for: the interpreter's facts and the platform, resolved into wheel tags,
//! the extension file suffix, the Python include dir and the zig target triple.
//!
//! The interpreter facts come from the Python side (`sys`, `sysconfig`) as plain values.
//! Tags are derived from them and from the target, never copied from `sys_tags()`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::project::toml::Located;

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
}

/// The C library a Linux target links against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Libc {
    /// glibc, with the minimum version the wheel claims.
    Gnu {
        major: u32,
        minor: u32,
    },
    Musl,
}

/// The resolved build target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The triple handed to zig, such as `x86_64-linux-gnu.2.17`.
    pub zig_triple: String,
    /// The CPU architecture in wheel-tag spelling (`x86_64`, `aarch64`).
    pub arch: String,
    pub libc: Libc,
    /// Whether this is the interpreter's own platform (not a cross build).
    pub native: bool,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// The interpreter's `(major, minor)` version.
    pub python_version: (u32, u32),
    /// `cp311`, from the interpreter.
    pub python_tag: String,
    /// `cp311`, `cp313t`, or `abi3`.
    pub abi_tag: String,
    /// The suffix of extension files: `.cpython-311-x86_64-linux-gnu.so`.
    pub ext_suffix: String,
    /// The folder holding `Python.h`.
    pub include_dir: PathBuf,
}

/// The glibc that wheels are built against by default: manylinux2014's.
const DEFAULT_GLIBC: (u32, u32) = (2, 17);

const ARCHES: &[&str] = &[
    "x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x", "riscv64",
];

impl Target {
    /// Resolves the target from the interpreter and the `target` setting, if any.
    pub fn resolve(interpreter: &Interpreter, setting: Option<&Located<String>>) -> Result<Self> {
        if interpreter.platform != "linux" {
            return Err(Error::Usage(format!(
                "zlig builds Linux wheels for now; this interpreter's platform is `{}`",
                interpreter.platform
            )));
        }
        let host_arch = wheel_arch(&interpreter.machine);
        let host_musl = interpreter.ext_suffix.contains("-musl");
        let (arch, libc) = match setting {
            None => (
                host_arch.clone(),
                if host_musl {
                    Libc::Musl
                } else {
                    Libc::Gnu {
                        major: DEFAULT_GLIBC.0,
                        minor: DEFAULT_GLIBC.1,
                    }
                },
            ),
            Some(triple) => parse_triple(triple)?,
        };
        let native = arch == host_arch && matches!(libc, Libc::Musl) == host_musl;
        let zig_arch = match arch.as_str() {
            "i686" => "x86",
            "armv7l" => "arm",
            "ppc64le" => "powerpc64le",
            other => other,
        };
        let zig_triple = match libc {
            Libc::Gnu { major, minor } => {
                let abi = if arch == "armv7l" { "gnueabihf" } else { "gnu" };
                format!("{zig_arch}-linux-{abi}.{major}.{minor}")
            }
            Libc::Musl => {
                let abi = if arch == "armv7l" {
                    "musleabihf"
                } else {
                    "musl"
                };
                format!("{zig_arch}-linux-{abi}")
            }
        };
        let ext_suffix = if native {
            interpreter.ext_suffix.clone()
        } else {
            let (major, minor) = interpreter.version;
            let t = if interpreter.gil_disabled { "t" } else { "" };
            let multiarch = match libc {
                Libc::Gnu { .. } => format!("{arch}-linux-gnu"),
                Libc::Musl => format!("{arch}-linux-musl"),
            };
            format!(".cpython-{major}{minor}{t}-{multiarch}.so")
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
            platform_machine: &self.arch,
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

    /// The default build dir name component: what the build is specific to.
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

fn wheel_arch(machine: &str) -> String {
    match machine {
        "amd64" | "AMD64" | "x64" => "x86_64".into(),
        "arm64" => "aarch64".into(),
        "i386" | "i586" | "x86" => "i686".into(),
        other => other.to_string(),
    }
}

/// Parses a `target` such as `aarch64-linux-gnu.2.17` or `x86_64-linux-musl`.
fn parse_triple(triple: &Located<String>) -> Result<(String, Libc)> {
    let parts: Vec<&str> = triple.value.split('-').collect();
    let bad = |why: &str| {
        triple.error(format!(
            "{why}; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: {}",
            ARCHES.join(", ")
        ))
    };
    let [arch, os, abi] = parts.as_slice() else {
        return Err(bad("not a target triple"));
    };
    let arch = match *arch {
        "x86" => "i686".to_string(),
        "arm" => "armv7l".to_string(),
        "powerpc64le" => "ppc64le".to_string(),
        other => wheel_arch(other),
    };
    if !ARCHES.contains(&arch.as_str()) {
        return Err(bad(&format!("unknown architecture `{arch}`")));
    }
    if *os != "linux" {
        return Err(bad(&format!("unsupported operating system `{os}`")));
    }
    let (abi, version) = abi.split_once('.').unwrap_or((abi, ""));
    let libc = match abi {
        "gnu" | "gnueabihf" => {
            let (major, minor) = if version.is_empty() {
                DEFAULT_GLIBC
            } else {
                let parsed = version
                    .split_once('.')
                    .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
                parsed.ok_or_else(|| bad(&format!("bad glibc version `{version}`")))?
            };
            if (major, minor) < DEFAULT_GLIBC {
                return Err(bad("glibc older than 2.17 is not supported"));
            }
            Libc::Gnu { major, minor }
        }
        "musl" | "musleabihf" if version.is_empty() => Libc::Musl,
        other => return Err(bad(&format!("unsupported C library `{other}`"))),
    };
    Ok((arch, libc))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::project::toml::Place;
    use std::path::Path;

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
        }
    }

    /// The `target` setting, as given in `config_settings`.
    pub(crate) fn setting(value: &str) -> Located<String> {
        Located {
            value: value.into(),
            place: Place::unspanned(Path::new("config_settings"), "target"),
        }
    }

    #[test]
    fn default_target_is_host_arch_with_glibc_2_17() {
        let target = Target::resolve(&cpython311(), None).unwrap();
        assert_eq!(target.zig_triple, "x86_64-linux-gnu.2.17");
        assert_eq!(
            (target.python_tag.as_str(), target.abi_tag.as_str()),
            ("cp311", "cp311")
        );
        assert_eq!(target.arch, "x86_64");
        assert_eq!(target.ext_suffix, ".cpython-311-x86_64-linux-gnu.so");
    }

    #[test]
    fn cross_target_names_files_for_the_target() {
        let target =
            Target::resolve(&cpython311(), Some(&setting("aarch64-linux-gnu.2.28"))).unwrap();
        assert_eq!(target.zig_triple, "aarch64-linux-gnu.2.28");
        assert_eq!(target.ext_suffix, ".cpython-311-aarch64-linux-gnu.so");
        assert!(!target.native);
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
            let err = Target::resolve(&cpython311(), Some(&setting(triple)))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{triple}: {err}");
        }
    }
}
