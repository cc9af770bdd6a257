//! Fuzzes reading and validating `pyproject.toml`: any text must give a project or an
//! error, never a panic, a hang, or a blow-up in time.
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
        std::fs::write(dir.join("demo/__init__.py"), "\"\"\"Doc.\"\"\"\n__version__ = '1.0'\n").unwrap();
        std::fs::write(dir.join("demo/x.c"), "").unwrap();
        std::fs::write(dir.join("README.md"), "# demo\n").unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = zlig::project::Project::parse(project_dir(), text.to_string(), &BTreeMap::new());
});
