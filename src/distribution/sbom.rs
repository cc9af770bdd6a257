//! The wheel's own SBOM (PEP 770): a CycloneDX document in `.dist-info/sboms/` naming what
//! zlig linked into the modules that is not the project's source.
//!
//! That is, per module: zig's compiler_rt; for a C++ module zig's libc++, libc++abi and
//! libunwind (linked statically, with the LLVM release they come from) and zlig's own
//! terminate handler; and the C library the modules need at run time (the newest glibc
//! symbol version they use, or zig's musl). Facts come in as plain values (`Linked`); this
//! module only writes them down. The document is deterministic: no timestamp, and a serial
//! number derived from its content. The project's own SBOM files (`sbom-files`) are
//! copied beside it by the wheel writer.
//!
//! Spec: <https://cyclonedx.org/docs/1.6/json/>, <https://peps.python.org/pep-0770/>

use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::project::extension::Language;
use crate::project::metadata::Metadata;

/// The file name of zlig's SBOM in `.dist-info/sboms/`.
pub const FILE_NAME: &str = "zlig.cdx.json";

/// What went into the wheel's modules besides the project's sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The modules, by path in the wheel, and the language each was linked as.
    pub modules: Vec<(String, Language)>,
    /// The zig that compiled them, when a built-in zig backend did: its version, and the
    /// LLVM release of its libc++ (`22.1.8`).
    pub zig: Option<ZigRuntime>,
    /// The C library the modules need at run time.
    pub libc: Option<LibcNeeded>,
}

/// The runtime pieces a zig build links in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZigRuntime {
    pub version: String,
    /// The LLVM release of zig's libc++, libc++abi and libunwind, if known.
    pub llvm: Option<String>,
}

/// The C library the modules are linked against (dynamically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibcNeeded {
    /// glibc, at least this version: the newest symbol version used, in full (`2.2.5`).
    Glibc(String),
    /// musl, the release zig ships.
    Musl(String),
}

impl ZigRuntime {
    /// The runtime facts of the zig whose library folder is `lib_dir`: libc++'s version is
    /// read from its `__config` (`_LIBCPP_VERSION 220108` is LLVM 22.1.8).
    pub fn of(version: &str, lib_dir: &Path) -> Self {
        let config = std::fs::read_to_string(lib_dir.join("libcxx/include/__config"));
        let llvm = config.ok().and_then(|text| {
            let number: u32 = text
                .lines()
                .find_map(|line| line.trim().strip_prefix("#  define _LIBCPP_VERSION "))
                .or_else(|| {
                    text.lines()
                        .find_map(|line| line.trim().strip_prefix("#define _LIBCPP_VERSION "))
                })?
                .trim()
                .parse()
                .ok()?;
            Some(format!(
                "{}.{}.{}",
                number / 10000,
                number / 100 % 100,
                number % 100
            ))
        });
        Self {
            version: version.to_string(),
            llvm,
        }
    }
}

/// The musl release in zig's library folder (`lib/libc/musl/src/internal/version.h`).
pub fn zig_musl_version(lib_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(lib_dir.join("libc/musl/src/internal/version.h")).ok()?;
    let quoted = text.split('"').nth(1)?;
    Some(quoted.to_string())
}

/// One component of the document, before it is written.
struct Part {
    bom_ref: String,
    name: &'static str,
    version: String,
    description: &'static str,
    license: &'static str,
    purl: Option<String>,
    cpe: Option<String>,
    linkage: &'static str,
}

impl Part {
    fn to_json(&self) -> Value {
        let mut component = json!({
            "type": "library",
            "bom-ref": self.bom_ref,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "licenses": [{"expression": self.license}],
            "properties": [{"name": "zlig:linkage", "value": self.linkage}],
        });
        if let Some(purl) = &self.purl {
            component["purl"] = json!(purl);
        }
        if let Some(cpe) = &self.cpe {
            component["cpe"] = json!(cpe);
        }
        component
    }
}

/// The CycloneDX 1.6 JSON of what `linked` says about the project `metadata`'s wheel.
pub fn cyclonedx(metadata: &Metadata, linked: &Linked) -> String {
    let project_ref = format!("pkg:pypi/{}@{}", metadata.normalized, metadata.version);
    let mut parts: Vec<Part> = Vec::new();
    let mut needs: Vec<(String, Vec<String>)> = Vec::new();
    for (module, language) in &linked.modules {
        let mut uses = Vec::new();
        if let Some(zig) = &linked.zig {
            uses.push(add(&mut parts, Part {
                bom_ref: format!("zig-compiler-rt@{}", zig.version),
                name: "compiler_rt",
                version: zig.version.clone(),
                description: "zig's compiler runtime (integer and floating-point helpers), linked into every module zig builds",
                license: "MIT",
                purl: Some(format!("pkg:github/ziglang/zig@{}", zig.version)),
                cpe: None,
                linkage: "static",
            }));
            if *language == Language::Cxx {
                let llvm = zig.llvm.clone().unwrap_or_else(|| "unknown".into());
                for (name, description) in [
                    (
                        "libc++",
                        "the C++ standard library, as zig builds it from LLVM",
                    ),
                    (
                        "libc++abi",
                        "the C++ ABI runtime (exceptions, RTTI), as zig builds it from LLVM",
                    ),
                    (
                        "libunwind",
                        "the unwinder C++ exceptions use, as zig builds it from LLVM",
                    ),
                ] {
                    uses.push(add(
                        &mut parts,
                        Part {
                            bom_ref: format!("llvm-{name}@{llvm}"),
                            name,
                            version: llvm.clone(),
                            description,
                            license: "Apache-2.0 WITH LLVM-exception",
                            purl: Some(format!("pkg:github/llvm/llvm-project@llvmorg-{llvm}")),
                            cpe: Some(format!("cpe:2.3:a:llvm:llvm:{llvm}:*:*:*:*:*:*:*")),
                            linkage: "static",
                        },
                    ));
                }
                uses.push(add(&mut parts, Part {
                    bom_ref: format!("zlig-terminate-handler@{}", env!("CARGO_PKG_VERSION")),
                    name: "zlig",
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    description: "zlig's terminate handler, which reports an uncaught C++ exception's type and what()",
                    license: "MIT",
                    purl: None,
                    cpe: None,
                    linkage: "static",
                }));
            }
        }
        match &linked.libc {
            Some(LibcNeeded::Glibc(version)) => uses.push(add(&mut parts, Part {
                bom_ref: format!("glibc@{version}"),
                name: "glibc",
                version: version.clone(),
                description: "the GNU C library: the modules need this version or a newer one at run time",
                license: "LGPL-2.1-or-later",
                purl: None,
                cpe: Some(format!("cpe:2.3:a:gnu:glibc:{version}:*:*:*:*:*:*:*")),
                linkage: "dynamic",
            })),
            Some(LibcNeeded::Musl(version)) => uses.push(add(&mut parts, Part {
                bom_ref: format!("musl@{version}"),
                name: "musl",
                version: version.clone(),
                description: "the musl C library the modules are built against and need at run time",
                license: "MIT",
                purl: None,
                cpe: Some(format!("cpe:2.3:a:musl-libc:musl:{version}:*:*:*:*:*:*:*")),
                linkage: "dynamic",
            })),
            None => {}
        }
        needs.push((format!("file:{module}"), uses));
    }
    let mut components: Vec<Value> = linked
        .modules
        .iter()
        .map(|(module, _)| {
            json!({
                "type": "file",
                "bom-ref": format!("file:{module}"),
                "name": module,
            })
        })
        .collect();
    components.extend(parts.iter().map(Part::to_json));
    let mut dependencies = vec![json!({
        "ref": project_ref,
        "dependsOn": linked.modules.iter().map(|(m, _)| format!("file:{m}")).collect::<Vec<_>>(),
    })];
    dependencies.extend(
        needs
            .into_iter()
            .map(|(module, uses)| json!({"ref": module, "dependsOn": uses})),
    );
    let mut document = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": {"components": [{
                "type": "application",
                "name": "zlig",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": {
                "type": "library",
                "bom-ref": project_ref,
                "name": metadata.name,
                "version": metadata.version.to_string(),
                "purl": project_ref,
            },
        },
        "components": components,
        "dependencies": dependencies,
    });
    // A serial number derived from the content, so that the same wheel gets the same one.
    document["serialNumber"] = json!(content_uuid(&document.to_string()));
    serde_json::to_string_pretty(&document).expect("the SBOM serializes") + "\n"
}

/// Adds `part` unless a part of its `bom-ref` is there already; returns the reference.
fn add(parts: &mut Vec<Part>, part: Part) -> String {
    let bom_ref = part.bom_ref.clone();
    if !parts.iter().any(|p| p.bom_ref == bom_ref) {
        parts.push(part);
    }
    bom_ref
}

/// `urn:uuid:…` from a hash of `text`, shaped as a version 5 (name-based) UUID.
fn content_uuid(text: &str) -> String {
    let mut bytes: [u8; 16] = Sha256::digest(text.as_bytes())[..16]
        .try_into()
        .expect("16 bytes");
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::metadata::tests::read;

    #[test]
    fn the_sbom_names_the_cxx_runtime_for_cxx_modules_only() {
        let metadata = read("[project]\nname = \"demo\"\nversion = \"1.0\"\n", &[]).unwrap();
        let linked = Linked {
            modules: vec![
                ("demo/_c.so".into(), Language::C),
                ("demo/_cxx.so".into(), Language::Cxx),
            ],
            zig: Some(ZigRuntime {
                version: "0.17.0".into(),
                llvm: Some("22.1.8".into()),
            }),
            libc: Some(LibcNeeded::Glibc("2.2.5".into())),
        };
        let text = cyclonedx(&metadata, &linked);
        assert_eq!(text, cyclonedx(&metadata, &linked), "deterministic");
        insta::assert_snapshot!("sbom_of_a_c_and_a_cxx_module", text);
        let doc: Value = serde_json::from_str(&text).unwrap();
        let depends = |module: &str| -> Vec<String> {
            doc["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["ref"] == module)
                .unwrap()["dependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            depends("file:demo/_c.so"),
            ["zig-compiler-rt@0.17.0", "glibc@2.2.5"]
        );
        assert!(depends("file:demo/_cxx.so").contains(&"llvm-libc++@22.1.8".to_string()));
        assert!(
            doc["serialNumber"]
                .as_str()
                .unwrap()
                .starts_with("urn:uuid:")
        );
    }

    #[test]
    fn libcxx_version_is_read_from_zig_s_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("libcxx/include/__config");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, "#ifndef X\n#  define _LIBCPP_VERSION 220108\n").unwrap();
        assert_eq!(
            ZigRuntime::of("0.17.0", dir.path()).llvm.as_deref(),
            Some("22.1.8")
        );
    }
}
