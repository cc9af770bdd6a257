//! zig build's configure step, compiled once per machine instead of once per build dir.
//!
//! `zig build` first compiles the build file into an executable, the configurer (2 s, a
//! 28 MB file), and keeps it in the local cache (`--cache-dir`), keyed on the build file's
//! bytes, never its path. zig has no option to keep it anywhere else, so every fresh
//! checkout, and every sdist a frontend unpacks into a temporary folder, paid those 2 s.
//! zlig's build file is the same for every project (`graph_build.zig`): zlig compiles its
//! configurer once per zig version into a seed cache in the user's cache, and copies the
//! seed into each new build dir's zig cache before the first build (manifests copied, since
//! zig rewrites them in place; the executable hard-linked, since zig replaces, never edits,
//! its outputs). A seed zig cannot use costs nothing but the usual compile: zig checks
//! every manifest against the files' contents.

use std::path::{Path, PathBuf};

use crate::compile::tool_home;
use crate::compile::toolchain::Zig;
use crate::compile::zig::{BUILD_ZIG, build_zig_hash};

/// Files larger than this are outputs (the configurer) and are hard-linked, not copied.
const LINK_ABOVE: u64 = 1 << 20;

/// Gives a build dir's new zig `cache` the configurer compiled once for this zig; does
/// nothing when the cache exists. Failures only cost the 2 s this saves, so they are
/// reported with `verbose` and otherwise ignored.
pub fn seed(zig: &Zig, cache: &Path, verbose: bool) {
    if cache.exists() {
        return;
    }
    let Some(seed) = seed_dir(zig) else {
        return;
    };
    let result = make_seed(zig, &seed).and_then(|()| {
        tool_home::copy_tree_atomically(&seed.join("cache"), cache, |file| {
            file.len() > LINK_ABOVE
        })?;
        // zig stores temporary files here and fails when it is missing.
        std::fs::create_dir_all(cache.join("tmp"))
    });
    match result {
        Ok(()) if verbose => eprintln!("zlig: zig's configure step copied from {}", seed.display()),
        Ok(()) => {}
        Err(err) if verbose => eprintln!(
            "zlig: could not reuse zig's configure step from {} ({err}); zig compiles it for this build dir",
            seed.display()
        ),
        Err(_) => {}
    }
}

/// `<zlig cache>/zig-configure-<zig version>-<build file hash>`: a new zlig with another
/// build file, or another zig, gets its own seed.
fn seed_dir(zig: &Zig) -> Option<PathBuf> {
    tool_home::writable_cache_dir().map(|dir| {
        dir.join(format!(
            "zig-configure-{}-{}",
            zig.version,
            build_zig_hash()
        ))
    })
}

/// Compiles the configurer into `seed/cache` unless it is there: `zig build -l` on the
/// build file alone (without `-Dgraph` it declares nothing), in a temporary folder renamed
/// into place, so that concurrent builds never see half a seed.
fn make_seed(zig: &Zig, seed: &Path) -> std::io::Result<()> {
    if seed.is_dir() {
        return Ok(());
    }
    let parent = seed.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let temp = tempfile::Builder::new()
        .prefix(".zig-configure-")
        .tempdir_in(parent)?;
    let build_file = temp.path().join("build.zig");
    std::fs::write(&build_file, BUILD_ZIG)?;
    let mut command = zig.command();
    command
        .arg("build")
        .arg("--build-file")
        .arg(&build_file)
        .arg("--cache-dir")
        .arg(temp.path().join("cache"))
        .arg("-l")
        .current_dir(temp.path());
    // An interruption here surfaces at the build's next step.
    let output = crate::compile::process::output(&mut command)
        .map_err(|err| std::io::Error::other(err.to_string()))?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "`zig build -l` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    tool_home::rename_into_place(temp, seed)
}
