//! auditwheel's manylinux and musllinux policies, embedded as the data auditwheel publishes.
//!
//! The JSON files next to this module are auditwheel 6.8.2's
//! (`src/auditwheel/policy/manylinux-policy.json` and `musllinux-policy.json` in
//! <https://github.com/pypa/auditwheel>, MIT license; `policy/README.md` says how to update
//! them). They are parsed once, into one `Policy` per policy and architecture, read as
//! auditwheel's `WheelPolicies` reads them. Choosing a policy for a target is here; checking
//! ELF files against it is the parent module's job.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;

use crate::tags::{PlatformTag, TagError};

const MANYLINUX: (&str, &str) = (
    "manylinux-policy.json",
    include_str!("policy/manylinux-policy.json"),
);
const MUSLLINUX: (&str, &str) = (
    "musllinux-policy.json",
    include_str!("policy/musllinux-policy.json"),
);

/// The embedded files are checked by the tests, so a failure here is a bug in zlig.
static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    [MANYLINUX, MUSLLINUX]
        .into_iter()
        .map(|(file, json)| load(file, json))
        .collect::<Result<Vec<_>, _>>()
        .map(|files| files.into_iter().flatten().collect())
        .unwrap_or_else(|err| panic!("auditwheel's embedded policy does not load: {err}"))
});

/// One entry of a policy file, in auditwheel's schema.
#[derive(Deserialize)]
struct Entry {
    name: String,
    aliases: Vec<String>,
    /// Architecture → symbol version prefix (`GLIBC`) → versions allowed (`2.17`).
    symbol_versions: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    lib_whitelist: BTreeSet<String>,
    blacklist: BTreeMap<String, BTreeSet<String>>,
}

/// Why an embedded policy file does not load.
#[derive(Debug, thiserror::Error)]
enum PolicyError {
    #[error("{file}: {source}")]
    Json {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: policy `{name}`: {source}")]
    Name {
        file: &'static str,
        name: String,
        #[source]
        source: TagError,
    },
}

/// One of auditwheel's policies, for one architecture.
#[derive(Debug)]
pub struct Policy {
    /// The policy's tag: `manylinux_2_17_x86_64`.
    pub tag: PlatformTag,
    /// Its legacy names, in the policy's order: `manylinux2014_x86_64`.
    pub aliases: Vec<PlatformTag>,
    /// The architecture, in wheel spelling.
    pub arch: String,
    /// The system libraries a module may link.
    pub libraries: BTreeSet<String>,
    /// The symbol versions a module may need, by prefix: `GLIBC` → `2.2.5` … `2.17`.
    pub symbol_versions: BTreeMap<String, BTreeSet<String>>,
    /// Symbols a module may not import while it links the library they are listed under.
    pub blacklist: BTreeMap<String, BTreeSet<String>>,
}

/// Reads one policy file into a policy per (entry, architecture).
fn load(file: &'static str, json: &str) -> Result<Vec<Policy>, PolicyError> {
    let entries: Vec<Entry> =
        serde_json::from_str(json).map_err(|source| PolicyError::Json { file, source })?;
    let mut policies = Vec::new();
    for entry in entries {
        let tag = |name: &str, arch: &str| {
            PlatformTag::from_policy_name(name, arch).map_err(|source| PolicyError::Name {
                file,
                name: name.to_string(),
                source,
            })
        };
        // The generic `linux` entry names no architecture, so it yields no policy here;
        // `linux_<arch>` is what the audit falls back to.
        for (arch, symbol_versions) in &entry.symbol_versions {
            policies.push(Policy {
                tag: tag(&entry.name, arch)?,
                aliases: entry
                    .aliases
                    .iter()
                    .map(|alias| tag(alias, arch))
                    .collect::<Result<_, _>>()?,
                arch: arch.clone(),
                libraries: entry
                    .lib_whitelist
                    .iter()
                    .map(|lib| match lib.as_str() {
                        "libc.so" => musl_libc(arch),
                        _ => lib.clone(),
                    })
                    .collect(),
                symbol_versions: symbol_versions.clone(),
                blacklist: entry.blacklist.clone(),
            });
        }
    }
    Ok(policies)
}

/// musl's libc soname on `arch`: the musllinux policies write `libc.so`, and auditwheel
/// reads it as this (`_fixup_musl_libc_soname`).
fn musl_libc(arch: &str) -> String {
    let arch = match arch {
        "i686" => "x86",
        "armv7l" => "armv7",
        other => other,
    };
    format!("libc.musl-{arch}.so.1")
}

/// The manylinux policy for `arch` and a target glibc: the newest policy not newer than it.
///
/// PEP 600 defines a tag for every glibc, but auditwheel has policies only for the glibc
/// releases of reference distributions (2.17, 2.28, 2.31, …), and without one nothing says
/// which libraries and symbol versions a system with, say, glibc 2.29 provides. The policy
/// of 2.28 does, every 2.29 system meets it, and an installer accepts `manylinux_2_28` there,
/// so the wheel is checked against 2.28 and tagged with it: a module that needs a 2.29
/// symbol then fails the check and the wheel is tagged `linux_<arch>`.
pub fn manylinux(arch: &str, glibc: (u32, u32)) -> Option<&'static Policy> {
    POLICIES
        .iter()
        .filter(|policy| policy.arch == arch)
        .filter_map(|policy| match policy.tag {
            PlatformTag::Manylinux { major, minor, .. } if (major, minor) <= glibc => {
                Some(((major, minor), policy))
            }
            _ => None,
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, policy)| policy)
}

/// The musllinux policy for `arch` and musl `major.minor`, if auditwheel has one.
pub fn musllinux(arch: &str, musl: (u32, u32)) -> Option<&'static Policy> {
    POLICIES.iter().find(|policy| {
        policy.arch == arch
            && matches!(policy.tag, PlatformTag::Musllinux { major, minor, .. } if (major, minor) == musl)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of a file's policies other than the generic `linux`.
    fn policy_names(json: &str) -> Vec<String> {
        let entries: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
        entries
            .iter()
            .map(|entry| entry["name"].as_str().unwrap().to_string())
            .filter(|name| name != "linux")
            .collect()
    }

    #[test]
    fn every_policy_parses_and_covers_x86_64() {
        for (file, json) in [MANYLINUX, MUSLLINUX] {
            load(file, json).unwrap();
            let names = policy_names(json);
            assert!(!names.is_empty(), "{file}");
            for name in names {
                let policy = POLICIES
                    .iter()
                    .find(|p| p.arch == "x86_64" && p.tag.to_string() == format!("{name}_x86_64"));
                let policy = policy.unwrap_or_else(|| panic!("{file}: {name} lacks x86_64"));
                assert!(policy.libraries.len() >= 2, "{name}");
                if name.starts_with("manylinux") {
                    assert!(policy.symbol_versions["GLIBC"].contains("2.2.5"), "{name}");
                }
            }
        }
    }

    #[test]
    fn glibc_with_a_policy_gets_that_policy_and_its_aliases() {
        let policy = manylinux("x86_64", (2, 17)).unwrap();
        assert_eq!(policy.tag.to_string(), "manylinux_2_17_x86_64");
        assert_eq!(
            policy.aliases,
            [PlatformTag::Manylinux2014 {
                arch: "x86_64".into()
            }]
        );
        assert!(policy.symbol_versions["GLIBC"].contains("2.17"));
        assert!(!policy.symbol_versions["GLIBC"].contains("2.18"));
        assert!(policy.libraries.contains("libc.so.6"));
    }

    #[test]
    fn glibc_without_a_policy_gets_the_newest_older_one() {
        let tag = |arch, glibc| manylinux(arch, glibc).map(|p| p.tag.to_string());
        assert_eq!(tag("x86_64", (2, 29)), Some("manylinux_2_28_x86_64".into()));
        assert_eq!(
            tag("aarch64", (2, 99)),
            Some("manylinux_2_41_aarch64".into())
        );
        // auditwheel's first riscv64 policy is manylinux_2_31.
        assert_eq!(tag("riscv64", (2, 17)), None);
        assert_eq!(
            tag("riscv64", (2, 35)),
            Some("manylinux_2_35_riscv64".into())
        );
    }

    #[test]
    fn musl_policy_allows_the_arch_specific_libc() {
        let policy = musllinux("armv7l", (1, 2)).unwrap();
        assert_eq!(policy.tag.to_string(), "musllinux_1_2_armv7l");
        assert_eq!(
            policy.libraries.iter().collect::<Vec<_>>(),
            ["libc.musl-armv7.so.1", "libz.so.1"]
        );
        assert!(musllinux("x86_64", (1, 9)).is_none());
    }
}
