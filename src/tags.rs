//! Wheel compatibility tags and wheel file names: every tag zlig writes is spelled here.
//!
//! `PlatformTag` is one platform (`linux_x86_64`, `manylinux_2_17_x86_64`, its legacy alias
//! `manylinux2014_x86_64`, `musllinux_1_2_aarch64`, `any`); `WheelTag` is a wheel's
//! compressed tag set and its expansion into the WHEEL file's `Tag` lines; `WheelFilename`
//! is the `.whl` name. Which platforms a wheel has earned is the `audit`'s decision, the
//! rest of the WHEEL file is the wheel writer's, and the sdist's name is
//! `Metadata::dist_stem`'s.
//!
//! Specs: <https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/>
//! and <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>.

use std::fmt;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::compile::graph::BuildGraph;
use crate::target::Target;

/// A platform tag. The architecture is in wheel spelling (`x86_64`, `aarch64`, `i686`,
/// `armv7l`, `ppc64le`, `s390x`, `riscv64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformTag {
    /// `any`: no compiled code.
    Any,
    /// `linux_<arch>`: built for Linux, with no promise about the system's libraries.
    Linux { arch: String },
    /// `manylinux_<major>_<minor>_<arch>` (PEP 600): runs with glibc `major.minor` or newer.
    Manylinux {
        major: u32,
        minor: u32,
        arch: String,
    },
    /// `musllinux_<major>_<minor>_<arch>` (PEP 656): runs with musl `major.minor` or newer.
    Musllinux {
        major: u32,
        minor: u32,
        arch: String,
    },
    /// `manylinux1_<arch>` (PEP 513), the legacy name of `manylinux_2_5_<arch>`.
    Manylinux1 { arch: String },
    /// `manylinux2010_<arch>` (PEP 571), the legacy name of `manylinux_2_12_<arch>`.
    Manylinux2010 { arch: String },
    /// `manylinux2014_<arch>` (PEP 599), the legacy name of `manylinux_2_17_<arch>`.
    Manylinux2014 { arch: String },
}

/// A platform name this module cannot spell as a tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error(
        "unknown platform `{0}`; expected `linux`, `manylinux_X_Y`, `musllinux_X_Y`, `manylinux1`, `manylinux2010` or `manylinux2014`"
    )]
    UnknownPlatform(String),
}

impl PlatformTag {
    /// The tag for `arch` of a platform named without its architecture, as auditwheel's
    /// policies name them: `manylinux_2_17`, `manylinux2014`, `musllinux_1_2`, `linux`.
    pub fn from_policy_name(name: &str, arch: &str) -> Result<Self, TagError> {
        let arch = arch.to_string();
        let version = |rest: &str| -> Option<(u32, u32)> {
            let (major, minor) = rest.split_once('_')?;
            Some((major.parse().ok()?, minor.parse().ok()?))
        };
        let unknown = || TagError::UnknownPlatform(name.to_string());
        Ok(match name {
            "linux" => Self::Linux { arch },
            "manylinux1" => Self::Manylinux1 { arch },
            "manylinux2010" => Self::Manylinux2010 { arch },
            "manylinux2014" => Self::Manylinux2014 { arch },
            _ => {
                if let Some(rest) = name.strip_prefix("manylinux_") {
                    let (major, minor) = version(rest).ok_or_else(unknown)?;
                    Self::Manylinux { major, minor, arch }
                } else if let Some(rest) = name.strip_prefix("musllinux_") {
                    let (major, minor) = version(rest).ok_or_else(unknown)?;
                    Self::Musllinux { major, minor, arch }
                } else {
                    return Err(unknown());
                }
            }
        })
    }
}

impl fmt::Display for PlatformTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any"),
            Self::Linux { arch } => write!(f, "linux_{arch}"),
            Self::Manylinux { major, minor, arch } => write!(f, "manylinux_{major}_{minor}_{arch}"),
            Self::Musllinux { major, minor, arch } => write!(f, "musllinux_{major}_{minor}_{arch}"),
            Self::Manylinux1 { arch } => write!(f, "manylinux1_{arch}"),
            Self::Manylinux2010 { arch } => write!(f, "manylinux2010_{arch}"),
            Self::Manylinux2014 { arch } => write!(f, "manylinux2014_{arch}"),
        }
    }
}

/// A wheel's compatibility tag: one Python tag, one ABI tag, and a compressed set of
/// platforms. `Display` gives the compressed form of the file name,
/// `cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelTag {
    /// `cp311`; `cp38` for an abi3 wheel; `py3` for a pure one.
    pub python: String,
    /// `cp311`, `cp313t`, `abi3`, or `none` for a pure wheel.
    pub abi: String,
    /// The platforms, in the order the file name and the WHEEL file list them.
    pub platforms: Vec<PlatformTag>,
}

impl WheelTag {
    /// `py3-none-any`, for wheels without compiled code.
    pub fn pure() -> Self {
        Self {
            python: "py3".into(),
            abi: "none".into(),
            platforms: vec![PlatformTag::Any],
        }
    }

    /// The tag of a wheel with compiled modules: `cp38-abi3-…` when every module uses the
    /// limited API (the newest version among them), else the interpreter's own tags.
    pub fn binary(target: &Target, graph: &BuildGraph, platforms: Vec<PlatformTag>) -> Self {
        let limited: Option<Vec<(u32, u32)>> =
            graph.extensions.iter().map(|e| e.limited_api).collect();
        match limited.and_then(|versions| versions.into_iter().max()) {
            Some((major, minor)) => Self {
                python: format!("cp{major}{minor}"),
                abi: "abi3".into(),
                platforms,
            },
            None => Self {
                python: target.python_tag.clone(),
                abi: target.abi_tag.clone(),
                platforms,
            },
        }
    }

    /// Whether the wheel holds only pure-Python code.
    pub fn is_pure(&self) -> bool {
        self.abi == "none" && self.platforms == [PlatformTag::Any]
    }

    /// The WHEEL file's `Tag:` lines: the compressed set expanded, one line per platform in
    /// order, each ending in a newline.
    pub fn tag_lines(&self) -> String {
        self.platforms
            .iter()
            .map(|platform| format!("Tag: {}-{}-{platform}\n", self.python, self.abi))
            .collect()
    }
}

impl fmt::Display for WheelTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-", self.python, self.abi)?;
        for (i, platform) in self.platforms.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{platform}")?;
        }
        Ok(())
    }
}

/// A wheel's file name (PEP 427): `Display` gives
/// `{name}-{version}-{python}-{abi}-{platforms joined by .}.whl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelFilename {
    /// The distribution name, written escaped (`demo-project` → `demo_project`).
    pub name: PackageName,
    /// The version, written in its normalized form.
    pub version: Version,
    /// The compatibility tag.
    pub tag: WheelTag,
}

impl WheelFilename {
    /// The file name of the wheel of `name` `version` with tag `tag`.
    pub fn new(name: PackageName, version: Version, tag: WheelTag) -> Self {
        Self { name, version, tag }
    }
}

impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{}.whl",
            self.name.as_dist_info_name(),
            self.version,
            self.tag
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::str::FromStr;

    fn x86_64() -> String {
        "x86_64".into()
    }

    /// `cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`.
    pub(crate) fn manylinux2014() -> WheelTag {
        WheelTag {
            python: "cp311".into(),
            abi: "cp311".into(),
            platforms: vec![
                PlatformTag::Manylinux {
                    major: 2,
                    minor: 17,
                    arch: x86_64(),
                },
                PlatformTag::Manylinux2014 { arch: x86_64() },
            ],
        }
    }

    #[test]
    fn platform_tags_are_spelled_as_the_specs_do() {
        let spelled: Vec<String> = [
            PlatformTag::Any,
            PlatformTag::Linux { arch: x86_64() },
            PlatformTag::Manylinux {
                major: 2,
                minor: 28,
                arch: "aarch64".into(),
            },
            PlatformTag::Musllinux {
                major: 1,
                minor: 2,
                arch: "armv7l".into(),
            },
            PlatformTag::Manylinux1 {
                arch: "i686".into(),
            },
            PlatformTag::Manylinux2010 { arch: x86_64() },
            PlatformTag::Manylinux2014 {
                arch: "ppc64le".into(),
            },
        ]
        .iter()
        .map(PlatformTag::to_string)
        .collect();
        assert_eq!(
            spelled,
            [
                "any",
                "linux_x86_64",
                "manylinux_2_28_aarch64",
                "musllinux_1_2_armv7l",
                "manylinux1_i686",
                "manylinux2010_x86_64",
                "manylinux2014_ppc64le",
            ]
        );
    }

    #[test]
    fn policy_names_become_tags_for_an_arch() {
        for name in [
            "linux",
            "manylinux_2_17",
            "manylinux2014",
            "manylinux1",
            "manylinux2010",
            "musllinux_1_2",
        ] {
            let tag = PlatformTag::from_policy_name(name, "s390x").unwrap();
            assert_eq!(tag.to_string(), format!("{name}_s390x"));
        }
    }

    #[test]
    fn unknown_policy_names_are_refused() {
        for name in ["manylinux2024", "manylinux_2", "musllinux_x_2", "windows"] {
            assert_eq!(
                PlatformTag::from_policy_name(name, "x86_64"),
                Err(TagError::UnknownPlatform(name.into()))
            );
        }
    }

    #[test]
    fn compressed_tag_and_tag_lines_list_platforms_in_order() {
        let tag = manylinux2014();
        assert_eq!(
            tag.to_string(),
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
        );
        assert_eq!(
            tag.tag_lines(),
            "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n"
        );
        assert!(!tag.is_pure());
    }

    #[test]
    fn pure_tag_is_py3_none_any() {
        let tag = WheelTag::pure();
        assert_eq!(tag.to_string(), "py3-none-any");
        assert_eq!(tag.tag_lines(), "Tag: py3-none-any\n");
        assert!(tag.is_pure());
    }

    #[test]
    fn wheel_filename_escapes_the_name_and_normalizes_the_version() {
        let name = PackageName::from_str("Demo.Project-x").unwrap();
        let version = Version::from_str("1.0.0-RC1").unwrap();
        assert_eq!(
            WheelFilename::new(name.clone(), version.clone(), manylinux2014()).to_string(),
            "demo_project_x-1.0.0rc1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        assert_eq!(
            WheelFilename::new(name, version, WheelTag::pure()).to_string(),
            "demo_project_x-1.0.0rc1-py3-none-any.whl"
        );
    }

    #[test]
    fn abi3_only_when_every_module_uses_the_limited_api_and_for_the_newest() {
        let mut graph = crate::compile::test_support::sample_graph(&["a.c"]);
        let mut second = graph.extensions[0].clone();
        second.name = "demo.other".into();
        graph.extensions.push(second);
        let target = graph.target.clone();
        let linux = || vec![PlatformTag::Linux { arch: x86_64() }];
        assert_eq!(
            WheelTag::binary(&target, &graph, linux()).to_string(),
            "cp311-cp311-linux_x86_64"
        );
        graph.extensions[0].limited_api = Some((3, 8));
        assert_eq!(
            WheelTag::binary(&target, &graph, linux()).to_string(),
            "cp311-cp311-linux_x86_64"
        );
        graph.extensions[1].limited_api = Some((3, 10));
        assert_eq!(
            WheelTag::binary(&target, &graph, linux()).to_string(),
            "cp310-abi3-linux_x86_64"
        );
    }
}
