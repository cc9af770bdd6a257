//! The platform tag of a binary wheel, earned by an ELF check (PEP 600, PEP 656).
//!
//! The target's C library picks one of auditwheel's policies (`policy`): the manylinux policy
//! of its glibc (or the newest older one), or `musllinux_1_2` for musl. Every ELF file among
//! the wheel's files is then read with `goblin` and checked as auditwheel checks it: its
//! architecture, the libraries it links, the versions of the symbols it needs, and the
//! symbols a policy bans from a library it links. A wheel whose files all pass gets the
//! policy's tag and its legacy aliases; otherwise it is tagged `linux_<arch>` and the first
//! reason is reported. Spelling the tags is `tags`' job; repairing a wheel (copying
//! libraries in) is not done at all.

pub mod policy;

use std::collections::BTreeSet;
use std::path::Path;

use goblin::elf::Elf;
use goblin::elf::section_header::SHN_UNDEF;
use goblin::elf::sym::STB_WEAK;

use crate::error::{IoContext, Result};
use crate::tags::PlatformTag;
use crate::target::{Libc, Target};
use policy::Policy;

/// The musl release zig links: its 1.2.x series, which `musllinux_1_2` stands for.
const ZIG_MUSL: (u32, u32) = (1, 2);

/// The outcome of auditing all modules of a wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The platform tags, the policy's own first (`manylinux_2_17_x86_64`,
    /// `manylinux2014_x86_64`), or `linux_<arch>` alone.
    pub platforms: Vec<PlatformTag>,
    /// Why the wheel only got `linux_<arch>`, if it did.
    pub downgraded: Option<String>,
}

/// Audits every ELF file among a wheel's files (`(archive path, file)` pairs) for
/// `target`. A library the wheel ships itself may be linked, as PEP 600 bans only libraries
/// the system would have to provide.
pub fn audit<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a Path)>,
    target: &Target,
) -> Result<Audit> {
    let arch = target.arch.wheel_name();
    let linux = PlatformTag::Linux {
        arch: arch.to_string(),
    };
    let (policy, libc) = match target.libc {
        Libc::Gnu { major, minor } => (
            policy::manylinux(arch, (major, minor)),
            format!("glibc {major}.{minor} or older"),
        ),
        Libc::Musl => (
            policy::musllinux(arch, ZIG_MUSL),
            format!("musl {}.{}", ZIG_MUSL.0, ZIG_MUSL.1),
        ),
    };
    let Some(policy) = policy else {
        return Ok(Audit {
            downgraded: Some(format!(
                "the wheel is tagged {linux}: auditwheel has no policy for {arch} with {libc}"
            )),
            platforms: vec![linux],
        });
    };
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
            Ok(elf) => violation(policy, &elf, &shipped),
            Err(err) => Some(format!("it is not a readable ELF file ({err})")),
        };
        if let Some(why) = why {
            return Ok(Audit {
                downgraded: Some(format!(
                    "the wheel is tagged {linux} and not {}: {name}: {why}",
                    policy.tag
                )),
                platforms: vec![linux],
            });
        }
    }
    // Policy tag first, then aliases, as auditwheel writes the WHEEL file's Tag lines
    // (it sorts the file name's platforms, which would put `manylinux2014` first).
    let platforms = std::iter::once(&policy.tag)
        .chain(&policy.aliases)
        .cloned()
        .collect();
    Ok(Audit {
        platforms,
        downgraded: None,
    })
}

/// Why `elf` breaks `policy`, if it does.
fn violation(policy: &Policy, elf: &Elf<'_>, shipped: &BTreeSet<&str>) -> Option<String> {
    if elf_arch(elf) != Some(policy.arch.as_str()) {
        return Some(format!(
            "it is built for {}, not {}",
            elf_arch(elf).unwrap_or("an unknown architecture"),
            policy.arch
        ));
    }
    if let Some(lib) = elf.libraries.iter().find(|lib| {
        !policy.libraries.contains(**lib) && !is_dynamic_loader(lib) && !shipped.contains(*lib)
    }) {
        return Some(format!("it links {lib}, which the policy does not allow"));
    }
    if let Some(why) = symbol_version_violation(policy, elf) {
        return Some(why);
    }
    blacklist_violation(policy, elf)
}

/// The first symbol version `elf` needs that the policy lacks. As auditwheel does, versions
/// are grouped by their prefix (`GLIBC` of `GLIBC_2.17`) whichever library asks for them,
/// the loader's are skipped, and a prefix the policy does not list is not checked (a
/// library the wheel ships versions its own symbols).
fn symbol_version_violation(policy: &Policy, elf: &Elf<'_>) -> Option<String> {
    for need in elf.verneed.iter().flat_map(|section| section.iter()) {
        if elf
            .dynstrtab
            .get_at(need.vn_file)
            .is_some_and(is_dynamic_loader)
        {
            continue;
        }
        for aux in need.iter() {
            let Some(version) = elf.dynstrtab.get_at(aux.vna_name) else {
                continue;
            };
            let (prefix, number) = version.split_once('_').unwrap_or((version, ""));
            let Some(allowed) = policy.symbol_versions.get(prefix) else {
                continue;
            };
            if allowed.contains(number) {
                continue;
            }
            let newest = allowed.iter().filter_map(|v| Some((numeric(v)?, v))).max();
            return Some(match (numeric(number), newest) {
                (Some(needed), Some((max, spelled))) if needed > max => format!(
                    "it needs symbol version {version}, newer than the policy's {prefix}_{spelled}"
                ),
                _ => format!("it needs symbol version {version}, which the policy does not allow"),
            });
        }
    }
    None
}

/// The newest glibc symbol version that any of the ELF `files` needs, in full (`GLIBC_2.2.5`
/// → `2.2.5`), which is the oldest glibc they run on: what an SBOM names as the glibc they
/// need.
pub fn glibc_needed<'a>(files: impl IntoIterator<Item = &'a Path>) -> Result<Option<String>> {
    let mut newest: Option<(Vec<u32>, String)> = None;
    for file in files {
        let bytes = std::fs::read(file).context(|| format!("reading {}", file.display()))?;
        let Ok(elf) = Elf::parse(&bytes) else {
            continue;
        };
        for need in elf.verneed.iter().flat_map(|section| section.iter()) {
            for aux in need.iter() {
                let version = elf.dynstrtab.get_at(aux.vna_name).unwrap_or_default();
                let Some(text) = version.strip_prefix("GLIBC_") else {
                    continue;
                };
                let Some(number) = numeric(text) else {
                    continue;
                };
                if newest.as_ref().is_none_or(|(known, _)| number > *known) {
                    newest = Some((number, text.to_string()));
                }
            }
        }
    }
    Ok(newest.map(|(_, text)| text))
}

/// `2.2.5` as `[2, 2, 5]`; `None` for versions such as `TM_1` or `PRIVATE`.
fn numeric(version: &str) -> Option<Vec<u32>> {
    version.split('.').map(|part| part.parse().ok()).collect()
}

/// The first symbol `elf` imports that the policy bans from a library `elf` links. ELF does
/// not record which library an undefined symbol comes from, so, as auditwheel does, any
/// strong undefined symbol with a banned name counts; a blacklist entry `*` bans the library
/// outright.
fn blacklist_violation(policy: &Policy, elf: &Elf<'_>) -> Option<String> {
    let imported: Vec<&str> = elf
        .dynsyms
        .iter()
        .filter(|sym| sym.st_shndx == SHN_UNDEF as usize && sym.st_bind() != STB_WEAK)
        .filter_map(|sym| elf.dynstrtab.get_at(sym.st_name))
        .collect();
    elf.libraries.iter().find_map(|lib| {
        let banned = policy.blacklist.get(*lib)?;
        if banned.contains("*") {
            return Some(format!("it links {lib}, which the policy bans outright"));
        }
        let symbol = imported.iter().find(|name| banned.contains(**name))?;
        Some(format!(
            "it imports {symbol}, which the policy bans from {lib}"
        ))
    })
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

    /// A target named by the `target` setting, built for by an interpreter of that
    /// platform (zlig refuses musl and riscv64 as cross targets).
    fn target_for(triple: &str) -> Target {
        let spec: crate::target::TargetSpec = triple.parse().unwrap();
        let mut interpreter = cpython311();
        interpreter.machine = spec.arch.to_string();
        interpreter.ext_suffix = format!(".cpython-311-{}.so", spec.arch.triplet(spec.libc));
        Target::resolve(&interpreter, Some(&spec)).unwrap()
    }

    fn platforms(audit: &Audit) -> Vec<String> {
        audit.platforms.iter().map(PlatformTag::to_string).collect()
    }

    const GETRANDOM: &str = "#include <sys/random.h>\nint PyInit_rnd(void) { char b; return (int)getrandom(&b, 1, 0); }\n";

    #[test]
    fn module_using_only_old_libc_is_manylinux_2_17() {
        let dir = tempfile::tempdir().unwrap();
        let module = shared_library(dir.path(), "ok", "int PyInit_ok(void) { return 0; }\n", &[]);
        let audit = audit([("ok.so", module.as_path())], &target()).unwrap();
        assert_eq!(
            platforms(&audit),
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
        assert_eq!(platforms(&audit), ["linux_x86_64"]);
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
        let module = shared_library(dir.path(), "rnd", GETRANDOM, &[]);
        let audit = audit([("rnd.so", module.as_path())], &target()).unwrap();
        let why = audit.downgraded.unwrap();
        insta::assert_snapshot!(why, @"the wheel is tagged linux_x86_64 and not manylinux_2_17_x86_64: rnd.so: it needs symbol version GLIBC_2.25, newer than the policy's GLIBC_2.17");
    }

    #[test]
    fn newer_glibc_symbol_version_passes_a_target_of_that_glibc() {
        let dir = tempfile::tempdir().unwrap();
        let module = shared_library(dir.path(), "rnd", GETRANDOM, &[]);
        let files = [("rnd.so", module.as_path())];
        let audit = audit(files, &target_for("x86_64-linux-gnu.2.28")).unwrap();
        assert_eq!(audit.downgraded, None);
        assert_eq!(platforms(&audit), ["manylinux_2_28_x86_64"]);
    }

    #[test]
    fn glibc_without_a_policy_is_tagged_with_the_newest_older_policy() {
        let dir = tempfile::tempdir().unwrap();
        let module = shared_library(dir.path(), "rnd", GETRANDOM, &[]);
        let files = [("rnd.so", module.as_path())];
        let audit = audit(files, &target_for("x86_64-linux-gnu.2.29")).unwrap();
        assert_eq!(platforms(&audit), ["manylinux_2_28_x86_64"]);
    }

    #[test]
    fn symbol_banned_from_an_allowed_library_is_named() {
        let dir = tempfile::tempdir().unwrap();
        // A stand-in zlib: whitelisted by soname, but `zcalloc` is zlib-internal.
        shared_library(
            dir.path(),
            "z",
            "int zcalloc(void) { return 1; }\n",
            &["-Wl,-soname,libz.so.1"],
        );
        let module = shared_library(
            dir.path(),
            "mod",
            "int zcalloc(void);\nint PyInit_mod(void) { return zcalloc(); }\n",
            &["-L.", "-lz"],
        );
        let audit = audit([("mod.so", module.as_path())], &target()).unwrap();
        assert_eq!(
            audit.downgraded.as_deref(),
            Some(
                "the wheel is tagged linux_x86_64 and not manylinux_2_17_x86_64: mod.so: it imports zcalloc, which the policy bans from libz.so.1"
            )
        );
    }

    #[test]
    fn musl_target_is_musllinux_1_2() {
        for (triple, tag) in [
            ("x86_64-linux-musl", "musllinux_1_2_x86_64"),
            ("aarch64-linux-musl", "musllinux_1_2_aarch64"),
        ] {
            let audit = audit([], &target_for(triple)).unwrap();
            assert_eq!(
                (platforms(&audit), audit.downgraded),
                (vec![tag.to_string()], None)
            );
        }
    }

    #[test]
    fn glibc_and_arch_without_any_policy_is_linux() {
        let audit = audit([], &target_for("riscv64-linux-gnu.2.28")).unwrap();
        assert_eq!(platforms(&audit), ["linux_riscv64"]);
        assert_eq!(
            audit.downgraded.as_deref(),
            Some(
                "the wheel is tagged linux_riscv64: auditwheel has no policy for riscv64 with glibc 2.28 or older"
            )
        );
    }
}
