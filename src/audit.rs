//! The platform tag of a binary wheel, earned by an ELF check (PEP 600, PEP 656).
//!
//! Every built module is read with `goblin`: its architecture, the shared libraries it
//! needs, and the versions of the symbols it imports from them. A wheel is tagged
//! `manylinux_X_Y` (or `musllinux_1_2`) only when every module passes the policy; otherwise
//! it is tagged `linux_<arch>` and the reason is reported. The policy facts (allowed
//! libraries, highest symbol versions) are those of auditwheel's policy files.

use std::collections::BTreeSet;
use std::path::Path;

use goblin::elf::Elf;

use crate::error::{IoContext, Result};
use crate::target::{Libc, Target};

/// The libraries manylinux wheels may link (auditwheel's `manylinux_2_17` whitelist; later
/// policies allow a superset, so this is safe for all of them).
const MANYLINUX_LIBS: &[&str] = &[
    "libatomic.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libm.so.6",
    "libanl.so.1",
    "libdl.so.2",
    "librt.so.1",
    "libc.so.6",
    "libnsl.so.1",
    "libutil.so.1",
    "libpthread.so.0",
    "libX11.so.6",
    "libXext.so.6",
    "libXrender.so.1",
    "libICE.so.6",
    "libSM.so.6",
    "libGL.so.1",
    "libgobject-2.0.so.0",
    "libgthread-2.0.so.0",
    "libglib-2.0.so.0",
    "libresolv.so.2",
    "libexpat.so.1",
    "libz.so.1",
];

/// The libraries musllinux wheels may link (auditwheel's `musllinux_1_2`).
const MUSLLINUX_LIBS: &[&str] = &["libc.so", "libz.so.1"];

/// The outcome of auditing all modules of a wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The platform tags, most specific first (`manylinux_2_17_x86_64`, `manylinux2014_x86_64`).
    pub platforms: Vec<String>,
    /// Why the wheel only got `linux_<arch>`, if it did.
    pub downgraded: Option<String>,
}

/// A policy: its tags, its libraries and the highest version allowed per symbol prefix.
struct Policy {
    tags: Vec<String>,
    libraries: &'static [&'static str],
    max_versions: Vec<(&'static str, Vec<u32>)>,
}

impl Policy {
    fn for_target(target: &Target) -> Self {
        let arch = &target.arch;
        match target.libc {
            Libc::Musl => Self {
                tags: vec![format!("musllinux_1_2_{arch}")],
                libraries: MUSLLINUX_LIBS,
                max_versions: Vec::new(),
            },
            Libc::Gnu { major, minor } => {
                let mut tags = vec![format!("manylinux_{major}_{minor}_{arch}")];
                if (major, minor) == (2, 17) {
                    tags.push(format!("manylinux2014_{arch}"));
                }
                // libstdc++'s versions at glibc 2.17 (CentOS 7); later policies allow more,
                // and zlig links libc++ statically, so the strictest limits are used.
                let gcc = if *arch == crate::target::Arch::Aarch64 {
                    vec![4, 7, 0]
                } else {
                    vec![4, 8, 0]
                };
                Self {
                    tags,
                    libraries: MANYLINUX_LIBS,
                    max_versions: vec![
                        ("GLIBC_", vec![major, minor]),
                        ("GLIBCXX_", vec![3, 4, 19]),
                        ("CXXABI_", vec![1, 3, 7]),
                        ("GCC_", gcc),
                    ],
                }
            }
        }
    }

    /// Why `elf` breaks the policy, if it does.
    fn violation(
        &self,
        elf: &Elf<'_>,
        target: &Target,
        shipped: &BTreeSet<&str>,
    ) -> Option<String> {
        if elf_arch(elf) != Some(target.arch.wheel_name()) {
            return Some(format!(
                "it is built for {}, not {}",
                elf_arch(elf).unwrap_or("an unknown architecture"),
                target.arch
            ));
        }
        if let Some(lib) = elf.libraries.iter().find(|lib| {
            !self.libraries.contains(lib) && !is_dynamic_loader(lib) && !shipped.contains(*lib)
        }) {
            return Some(format!("it links {lib}, which the policy does not allow"));
        }
        for need in elf.verneed.iter().flat_map(|section| section.iter()) {
            for aux in need.iter() {
                let Some(version) = elf.dynstrtab.get_at(aux.vna_name) else {
                    continue;
                };
                for (prefix, max) in &self.max_versions {
                    let Some(number) = version.strip_prefix(prefix) else {
                        continue;
                    };
                    let parsed: Option<Vec<u32>> =
                        number.split('.').map(|p| p.parse().ok()).collect();
                    if parsed.is_none_or(|v| v > *max) {
                        return Some(format!(
                            "it needs symbol version {version}, newer than the policy's {prefix}{}",
                            max.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
                        ));
                    }
                }
            }
        }
        None
    }
}

/// The dynamic loader is part of the C library, as auditwheel treats it.
fn is_dynamic_loader(lib: &str) -> bool {
    lib.starts_with("ld-linux")
        || lib.starts_with("ld-musl-")
        || matches!(lib, "ld64.so.1" | "ld64.so.2")
}

fn elf_arch(elf: &Elf<'_>) -> Option<&'static str> {
    use goblin::elf::header::*;
    Some(match elf.header.e_machine {
        EM_X86_64 => "x86_64",
        EM_AARCH64 => "aarch64",
        EM_386 => "i686",
        EM_ARM => "armv7l",
        EM_PPC64 => "ppc64le",
        EM_S390 => "s390x",
        EM_RISCV => "riscv64",
        _ => return None,
    })
}

/// Audits every ELF file among a wheel's files (`(archive path, file)` pairs) for
/// `target`. A library the wheel ships itself may be linked, as PEP 600 bans only libraries
/// the system would have to provide.
pub fn audit<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a Path)>,
    target: &Target,
) -> Result<Audit> {
    let policy = Policy::for_target(target);
    let files: Vec<(&str, &Path)> = files.into_iter().collect();
    let shipped: BTreeSet<&str> = files
        .iter()
        .map(|(path, _)| path.rsplit('/').next().unwrap_or(path))
        .collect();
    for (name, file) in files {
        let bytes = std::fs::read(file).context(|| format!("reading {}", file.display()))?;
        if !bytes.starts_with(b"\x7fELF") {
            continue;
        }
        let why = match Elf::parse(&bytes) {
            Ok(elf) => policy.violation(&elf, target, &shipped),
            Err(err) => Some(format!("it is not a readable ELF file ({err})")),
        };
        if let Some(why) = why {
            return Ok(Audit {
                platforms: vec![format!("linux_{}", target.arch)],
                downgraded: Some(format!(
                    "the wheel is tagged {} and not {}: {name}: {why}",
                    format!("linux_{}", target.arch),
                    policy.tags[0]
                )),
            });
        }
    }
    Ok(Audit {
        platforms: policy.tags,
        downgraded: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::tests::cpython311;
    use std::process::Command;

    /// Builds a shared library from C with the system compiler (the tests' only use of it).
    fn shared_library(dir: &Path, name: &str, code: &str, args: &[&str]) -> std::path::PathBuf {
        let source = dir.join(format!("{name}.c"));
        std::fs::write(&source, code).unwrap();
        let output = dir.join(format!("lib{name}.so"));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(&output)
            .arg(&source)
            .args(args)
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success());
        output
    }

    fn target() -> Target {
        Target::resolve(&cpython311(), None).unwrap()
    }

    #[test]
    fn module_using_only_old_libc_is_manylinux_2_17() {
        let dir = tempfile::tempdir().unwrap();
        let module = shared_library(dir.path(), "ok", "int PyInit_ok(void) { return 0; }\n", &[]);
        let audit = audit([("ok.so", module.as_path())], &target()).unwrap();
        assert_eq!(
            audit.platforms,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        assert_eq!(audit.downgraded, None);
    }

    #[test]
    fn library_outside_the_policy_is_named() {
        let dir = tempfile::tempdir().unwrap();
        shared_library(dir.path(), "extra", "int extra(void) { return 1; }\n", &[]);
        let module = shared_library(
            dir.path(),
            "mod",
            "int extra(void);\nint PyInit_mod(void) { return extra(); }\n",
            &["-L.", "-lextra"],
        );
        let audit = audit([("pkg/mod.so", module.as_path())], &target()).unwrap();
        assert_eq!(audit.platforms, ["linux_x86_64"]);
        assert_eq!(
            audit.downgraded.as_deref(),
            Some(
                "the wheel is tagged linux_x86_64 and not manylinux_2_17_x86_64: pkg/mod.so: it links libextra.so, which the policy does not allow"
            )
        );
    }

    #[test]
    fn library_the_wheel_ships_may_be_linked() {
        let dir = tempfile::tempdir().unwrap();
        let lib = shared_library(dir.path(), "extra", "int extra(void) { return 1; }\n", &[]);
        let module = shared_library(
            dir.path(),
            "mod",
            "int extra(void);\nint PyInit_mod(void) { return extra(); }\n",
            &["-L.", "-lextra"],
        );
        let files = [
            ("pkg/mod.so", module.as_path()),
            ("pkg/libextra.so", lib.as_path()),
        ];
        let audit = audit(files, &target()).unwrap();
        assert_eq!(audit.downgraded, None);
    }

    #[test]
    fn newer_glibc_symbol_version_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let module = shared_library(
            dir.path(),
            "rnd",
            "#include <sys/random.h>\nint PyInit_rnd(void) { char b; return (int)getrandom(&b, 1, 0); }\n",
            &[],
        );
        let audit = audit([("rnd.so", module.as_path())], &target()).unwrap();
        let why = audit.downgraded.unwrap();
        assert!(
            why.contains("it needs symbol version GLIBC_2.25, newer than the policy's GLIBC_2.17"),
            "{why}"
        );
    }
}
