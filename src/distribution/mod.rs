//! Distributions: what goes in (`contents`), computed once as plain data and checked for
//! where it lands once installed (`installed`), and the sinks that store it (`writer`):
//! the wheel, the editable wheel, the sdist, the metadata directory, and modules copied
//! next to their sources (`inplace`).

pub mod contents;
pub mod core_metadata;
pub mod editable;
pub mod ignored;
pub mod inplace;
pub mod installed;
pub mod sbom;
pub mod sdist;
pub mod wheel;
pub mod writer;

use std::path::PathBuf;

use crate::project::files::PathError;

/// Why a distribution could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DistributionError {
    #[error(
        "the built module {0} would replace a file of the same name in the package; remove the file or add it to `tool.zlig.wheel.exclude`"
    )]
    ModuleReplacesFile(String),
    #[error("package {}: {problem}", .package.display())]
    PackageFiles {
        package: PathBuf,
        #[source]
        problem: PathError,
    },
    #[error("SOURCE_DATE_EPOCH={0} is not a number of seconds")]
    SourceDateEpoch(String),
    #[error("{context}: {source}")]
    Archive {
        context: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error(
        "the metadata directory {} does not match the project any more ({what} changed since prepare_metadata_for_build_wheel); run the build again",
        .dir.display()
    )]
    StaleMetadata { dir: PathBuf, what: String },
    /// A path that a `.pth` line cannot hold (`editable::pth_line`).
    #[error(
        "an editable install cannot name `{path}` on a line of its `.pth` file: {why}. Python reads a `.pth` file line by line and runs a line that starts with `import`, so zlig writes only a path that reads back unchanged: move the project to another folder"
    )]
    PthLine { path: String, why: String },
    #[error(
        "this editable install could not rebuild its extensions on import: {why}. Its modules would then stay as built now while you edit their sources. {remedy}; or, to install it anyway and reinstall after each edit of a C, C++, Cython or Zig source, add `-C editable-rebuild=false`"
    )]
    NoRebuild { why: String, remedy: String },
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::path::Path;

    use sha2::{Digest, Sha256};

    use super::contents::{sdist_files, wheel_files};
    use super::sdist::write_sdist;
    use super::wheel::write_wheel;
    use super::writer::Timestamp;
    use crate::compile::graph::BuildGraph;
    use crate::compile::link_args::EnvFlags;
    use crate::compile::packages::NoInterpreter;
    use crate::compile::{Artifacts, Rebuild};
    use crate::project::Project;
    use crate::tags::{PlatformTag, WheelTag};
    use crate::target::{Target, tests::cpython311};

    /// 1980-01-01, the zip epoch: what a build without SOURCE_DATE_EPOCH stamps.
    const EPOCH: Timestamp = Timestamp(315_532_800);

    fn sha256(path: &Path) -> String {
        let digest = Sha256::digest(std::fs::read(path).unwrap());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The names and texts of a wheel's members, in archive order.
    fn wheel_members(wheel: &Path) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut member = archive.by_index(i).unwrap();
                let mut text = String::new();
                member.read_to_string(&mut text).unwrap();
                (member.name().unwrap().to_string(), text)
            })
            .collect()
    }

    /// examples/pure, every `[project]` field in a pure-Python project: its archives are
    /// pinned byte for byte, so that any change of output is a decision seen in a diff.
    #[test]
    fn the_pure_example_archives_are_pinned() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pure");
        let project = Project::load(&root, &BTreeMap::new()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let metadata = super::core_metadata::render(&project.metadata);
        let files = wheel_files(&project, &[], &Default::default())
            .unwrap()
            .entries();
        let wheel = write_wheel(
            &project,
            &files,
            WheelTag::pure(),
            &metadata,
            None,
            out.path(),
            EPOCH,
        )
        .unwrap()
        .to_string();
        let sdist =
            write_sdist(&project, &sdist_files(&project).unwrap(), out.path(), EPOCH).unwrap();

        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(out.path().join(&wheel)).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        let mut member = |name: &str| {
            let mut text = String::new();
            archive
                .by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let info = "pure_example-2.1.0.dist-info";
        insta::assert_snapshot!("pure_wheel_names", names.join("\n"));
        insta::assert_snapshot!("pure_metadata", member(&format!("{info}/METADATA")));
        insta::assert_snapshot!("pure_wheel_file", member(&format!("{info}/WHEEL")));
        insta::assert_snapshot!("pure_record", member(&format!("{info}/RECORD")));
        let sdist_names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(out.path().join(&sdist)).unwrap(),
        ))
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
        insta::assert_snapshot!("pure_sdist_names", sdist_names.join("\n"));

        assert_eq!(
            (wheel.as_str(), sha256(&out.path().join(&wheel))),
            (
                "pure_example-2.1.0-py3-none-any.whl",
                "2d6846d845e74f7707e7bd57ce9dcf1a728948691db32b88446ddb022b8dd0d1".to_string()
            )
        );
        assert_eq!(
            (sdist.as_str(), sha256(&out.path().join(&sdist))),
            (
                "pure_example-2.1.0.tar.gz",
                "2333cf91b7af3553e5d64026a6a5b72d3c72d52367f660fcb3698e9fe486d775".to_string()
            )
        );
    }

    /// examples/demo's editable wheel, from the facts a build gives (where the module was
    /// built, the command that builds it again): its entries, the `.pth`, the import hook's
    /// configuration and RECORD are pinned. The checkout's folder is named `[ROOT]`, and so
    /// are the hash and size of each file that holds it, once checked against the file.
    #[test]
    fn the_demo_editable_wheel_is_pinned() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        let project = Project::load(&root, &BTreeMap::new()).unwrap();
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph =
            BuildGraph::resolve(&project, &target, &EnvFlags::default(), &NoInterpreter).unwrap();
        let build_dir = root.join("build/zlig/cp311-x86_64-linux-gnu.2.17");
        let built: Artifacts = [(
            "demo.demo".to_string(),
            build_dir.join("zig/out/demo/demo.cpython-311-x86_64-linux-gnu.so"),
        )]
        .into();
        let rebuild = Rebuild {
            argv: ["/opt/zig/zig", "build", "--build-file", "build.zig"]
                .map(String::from)
                .to_vec(),
            cwd: Some(build_dir.join("zig")),
            env_remove: vec!["CPATH".into()],
            env_set: [("ZIG_GLOBAL_CACHE_DIR".into(), "/cache/zig".into())].into(),
            lock: build_dir.join(".lock"),
        };
        let files = wheel_files(&project, &[], &Default::default()).unwrap();
        let entries = super::editable::files(
            &project,
            &files,
            &graph.extensions,
            &built,
            Some(&rebuild),
            (3, 11),
        )
        .unwrap();
        let tag = WheelTag {
            python: "cp311".into(),
            abi: "cp311".into(),
            platforms: vec![PlatformTag::Linux {
                arch: "x86_64".into(),
            }],
        };
        let metadata = super::core_metadata::render(&project.metadata);
        let out = tempfile::tempdir().unwrap();
        let wheel = write_wheel(&project, &entries, tag, &metadata, None, out.path(), EPOCH)
            .unwrap()
            .to_string();
        assert_eq!(wheel, "demo-0.1.0-cp311-cp311-linux_x86_64.whl");

        let members = wheel_members(&out.path().join(&wheel));
        let root = root.to_str().unwrap();
        let text = |name: &str| {
            let (_, text) = members.iter().find(|(n, _)| n == name).unwrap();
            text.replace(root, "[ROOT]")
        };
        let names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        insta::assert_snapshot!(names.join("\n"), @r"
            _zlig_editable_demo.pth
            _zlig_editable_demo.py
            demo-0.1.0.dist-info/METADATA
            demo-0.1.0.dist-info/WHEEL
            demo-0.1.0.dist-info/RECORD
            ");
        insta::assert_snapshot!(text("_zlig_editable_demo.pth"), @r"
            [ROOT]/src
            import _zlig_editable_demo; _zlig_editable_demo.start()
            ");
        let hook = text("_zlig_editable_demo.py");
        insta::assert_snapshot!(hook.lines().last().unwrap().trim(), @r#"
            install("{\"project\":\"demo\",\"project_dir\":\"[ROOT]\",\"modules\":{\"demo.demo\":\"[ROOT]/build/zlig/cp311-x86_64-linux-gnu.2.17/zig/out/demo/demo.cpython-311-x86_64-linux-gnu.so\"},\"rebuild\":{\"argv\":[\"/opt/zig/zig\",\"build\",\"--build-file\",\"build.zig\"],\"cwd\":\"[ROOT]/build/zlig/cp311-x86_64-linux-gnu.2.17/zig\",\"env_remove\":[\"CPATH\"],\"env_set\":{\"ZIG_GLOBAL_CACHE_DIR\":\"/cache/zig\"},\"lock\":\"[ROOT]/build/zlig/cp311-x86_64-linux-gnu.2.17/.lock\"},\"sources\":{\"demo.demo\":[\"[ROOT]/src/demo/demo.c\"]}}", ["demo.demo"], {})
            "#);
        let record: Vec<String> = text("demo-0.1.0.dist-info/RECORD")
            .lines()
            .map(|row| {
                let (name, rest) = row.split_once(',').unwrap();
                let (_, content) = members.iter().find(|(n, _)| n == name).unwrap();
                if !content.contains(root) {
                    return row.to_string();
                }
                let digest = Sha256::digest(content.as_bytes());
                let hash = base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    digest,
                );
                assert_eq!(rest, format!("sha256={hash},{}", content.len()), "{name}");
                format!("{name},sha256=[HASH],[SIZE]")
            })
            .collect();
        insta::assert_snapshot!(record.join("\n"), @r"
            _zlig_editable_demo.pth,sha256=[HASH],[SIZE]
            _zlig_editable_demo.py,sha256=[HASH],[SIZE]
            demo-0.1.0.dist-info/METADATA,sha256=iIlIDAAs4J5ClnVTJ3PQ9KYnayckQ95U4kTRZkHgfsQ,309
            demo-0.1.0.dist-info/WHEEL,sha256=GCyp3OW5-27VrUPtteg62lRLSYcLgBCoZh4gaYyXHiA,94
            demo-0.1.0.dist-info/RECORD,,
            ");
    }
}
