//! Fuzzes reading and validating `pyproject.toml`: any text must give a project or an
//! error, never a panic, a hang, or a blow-up in time; and a project that validates must
//! render METADATA whose header block is one `Name: value` field per line (a legacy license
//! text continued by indented lines), and an `entry_points.txt` of `[group]` and
//! `name = value` lines: no declared value can start a field or a section of its own.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// A project folder with a package, a readme and a C file, so that valid inputs get past
/// discovery and glob expansion.
fn project_dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("zlig-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("demo")).unwrap();
        std::fs::write(
            dir.join("demo/__init__.py"),
            "\"\"\"Doc.\"\"\"\n__version__ = '1.0'\n",
        )
        .unwrap();
        std::fs::write(dir.join("demo/x.c"), "").unwrap();
        std::fs::write(dir.join("README.md"), "# demo\n").unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(project) =
        zlig::project::Project::parse(project_dir(), text.to_string(), &BTreeMap::new())
    else {
        return;
    };
    let metadata = zlig::distribution::core_metadata::render(&project.metadata);
    let headers = metadata.split("\n\n").next().unwrap_or_default();
    for line in headers.lines() {
        let field = line.split_once(": ").map(|(name, _)| name);
        let is_field = field.is_some_and(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        assert!(
            is_field || line.starts_with("       "),
            "not a field: {line:?}"
        );
    }
    if let Some(entry_points) = zlig::distribution::core_metadata::entry_points(&project.metadata) {
        for line in entry_points.lines().filter(|l| !l.is_empty()) {
            let section = line.starts_with('[') && line.ends_with(']');
            assert!(
                section || line.contains(" = "),
                "not an entry point line: {line:?}"
            );
        }
    }
});
