//! Where builds are kept: `build-dir`, else `build/zlig/` with one folder per target.
//!
//! A build dir is written and, by `zlig clean`, removed, so it may not be a folder that
//! holds the project's own files: not the project root or a folder above it, not the
//! python-source folder, not a shipped package or a folder inside one. In
//! `pyproject.toml` it must also stay inside the project (settings checks that); named in
//! `config_settings`, it may be anywhere else. Paths are compared as they really are,
//! through symlinks, so a link cannot dress up a package as a build dir.

use std::path::{Component, Path, PathBuf};

use super::discovery::{Layout, ModuleKind};
use super::settings::Settings;
use super::toml::Located;
use crate::error::Result;

/// The folder builds are kept in, checked: the `build-dir` setting itself, or
/// `<root>/build/zlig`, which holds one build dir per target.
pub fn base(root: &Path, settings: &Settings, layout: &Layout) -> Result<PathBuf> {
    let Some(setting) = &settings.build_dir else {
        return Ok(root.join("build").join("zlig"));
    };
    let dir = lexical(&root.join(&setting.value));
    check(root, layout, setting, &dir)?;
    Ok(dir)
}

/// Refuses a build dir that is, holds or lies inside the project's own files.
fn check(root: &Path, layout: &Layout, setting: &Located<String>, dir: &Path) -> Result<()> {
    let real = |path: &Path| real_path(path);
    let real_dir = real(dir);
    let refuse = |what: String| {
        setting.error(format!(
            "the build dir would {what}, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`"
        ))
    };
    let real_root = real(root);
    if real_root.starts_with(&real_dir) {
        return Err(refuse("hold the whole project".into()));
    }
    if !layout.python_source.as_os_str().is_empty()
        && real(&root.join(&layout.python_source)).starts_with(&real_dir)
    {
        return Err(refuse(format!(
            "hold the Python source folder `{}`",
            layout.python_source.display()
        )));
    }
    for top in &layout.top_level {
        if top.kind == ModuleKind::Extension {
            continue;
        }
        let package = real(&root.join(&top.path));
        if package.starts_with(&real_dir) {
            return Err(refuse(format!("hold the package `{}`", top.path.display())));
        }
        let folder = matches!(
            top.kind,
            ModuleKind::Package | ModuleKind::ExtensionWithStubs
        );
        if folder && real_dir.starts_with(&package) {
            return Err(refuse(format!(
                "lie inside the package `{}`, and be shipped with it",
                top.path.display()
            )));
        }
    }
    Ok(())
}

/// `path` with `.` and `..` resolved lexically (the folder may not exist yet).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` through every symlink of its longest existing part, the rest kept as written.
pub fn real_path(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.file_name().map(PathBuf::from), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::files::tests::tree;
    use crate::project::toml::Place;

    fn checked(files: &[&str], build_dir: &str, source: &str) -> std::result::Result<(), String> {
        let dir = tree(files);
        let layout = Layout {
            python_source: PathBuf::from(source),
            top_level: vec![crate::project::discovery::TopLevel {
                name: "pkg".into(),
                kind: ModuleKind::Package,
                path: PathBuf::from(source).join("pkg"),
            }],
        };
        let setting = Located {
            value: build_dir.to_string(),
            place: Place::unspanned(Path::new("config_settings"), "build-dir"),
        };
        let root = dir.path().canonicalize().unwrap();
        check(&root, &layout, &setting, &lexical(&root.join(build_dir))).map_err(|e| e.to_string())
    }

    #[test]
    fn folders_holding_the_project_are_refused() {
        let files = &["src/pkg/__init__.py", "csrc/a.c"];
        let report: Vec<String> = [".", "..", "src/..", "src", "src/pkg", "src/pkg/build"]
            .into_iter()
            .map(|dir| {
                let err = checked(files, dir, "src").unwrap_err();
                format!("{dir}\n→ {err}")
            })
            .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r"
            .
            → config_settings: `build-dir`: the build dir would hold the whole project, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`

            ..
            → config_settings: `build-dir`: the build dir would hold the whole project, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`

            src/..
            → config_settings: `build-dir`: the build dir would hold the whole project, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`

            src
            → config_settings: `build-dir`: the build dir would hold the Python source folder `src`, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`

            src/pkg
            → config_settings: `build-dir`: the build dir would hold the package `src/pkg`, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`

            src/pkg/build
            → config_settings: `build-dir`: the build dir would lie inside the package `src/pkg`, and be shipped with it, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`
            ");
        assert_eq!(checked(files, "build/zlig", "src"), Ok(()));
        assert_eq!(checked(files, "/tmp/elsewhere", "src"), Ok(()));
    }

    #[test]
    fn a_link_to_a_package_is_the_package() {
        let dir = tree(&["pkg/__init__.py"]);
        std::os::unix::fs::symlink(dir.path().join("pkg"), dir.path().join("out")).unwrap();
        let layout = Layout {
            python_source: PathBuf::new(),
            top_level: vec![crate::project::discovery::TopLevel {
                name: "pkg".into(),
                kind: ModuleKind::Package,
                path: "pkg".into(),
            }],
        };
        let setting = Located {
            value: "out".to_string(),
            place: Place::unspanned(Path::new("pyproject.toml"), "tool.zlig.build-dir"),
        };
        let err = check(dir.path(), &layout, &setting, &dir.path().join("out")).unwrap_err();
        insta::assert_snapshot!(err, @"pyproject.toml: `tool.zlig.build-dir`: the build dir would hold the package `pkg`, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`");
    }
}
