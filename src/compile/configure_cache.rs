//! zig build's configure step, compiled once per machine instead of once per build dir.
//!
//! `zig build` first compiles the build file into an executable, the configurer (2 s, a
//! 28 MB file), and keeps it in the local cache (`--cache-dir`), keyed on the build file's
//! bytes, never its path. zig has no option to keep it anywhere else, so every fresh
//! checkout, and every sdist a frontend unpacks into a temporary folder, paid those 2 s.
//! zlig's build file is the same for every project (`graph_build.zig`): zlig compiles its
//! configurer once per zig version into a seed cache in the user's cache, and copies the
//! seed into each new build dir's zig cache before the first build (copied, not linked, so
//! that what happens to the seed never reaches the build dirs seeded from it). zig checks
//! every manifest against its inputs, never the configurer it names; so the seed is checked
//! before each use (no other user could have changed it, and its files have the names and
//! sizes they were made with) and made again when it fails.

use std::path::{Path, PathBuf};

use crate::compile::tool_home;
use crate::compile::toolchain::Zig;
use crate::compile::zig::{BUILD_ZIG, build_zig_hash};
use crate::trust;

/// The file in a seed that records the names and sizes of its files.
const LISTING: &str = "listing";

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
    let result = settle(zig, &seed, verbose).and_then(|()| {
        tool_home::copy_tree_atomically(&seed.join("cache"), cache, |_| false)?;
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

/// Why the seed in `seed` may not be used: another user could have changed it, or its files
/// are not those it was made with (missing, truncated, added).
fn problem(seed: &Path) -> Option<String> {
    if let Some(why) = trust::why_unsafe_tree(seed) {
        return Some(why.to_string());
    }
    let recorded = std::fs::read_to_string(seed.join(LISTING)).ok();
    let listing = tool_home::listing_hash(&seed.join("cache"), false).ok();
    (recorded.is_none() || recorded != listing)
        .then(|| "its files are not those it was made with".to_string())
}

/// Makes `seed` whole: compiled when missing, compiled again when `problem` says so.
fn settle(zig: &Zig, seed: &Path, verbose: bool) -> std::io::Result<()> {
    let Some(why) = problem(seed) else {
        return Ok(());
    };
    if verbose && seed.exists() {
        eprintln!(
            "zlig: compiling zig's configure step again in {} ({why})",
            seed.display()
        );
    }
    tool_home::remove_aside(seed)?;
    make_seed(zig, seed)
}

/// Compiles the configurer into `seed/cache`: `zig build -l` on the build file alone
/// (without `-Dgraph` it declares nothing), in a temporary folder renamed into place, so
/// that concurrent builds never see half a seed; what zig wrote is made private, and the
/// names and sizes of its files are recorded.
fn make_seed(zig: &Zig, seed: &Path) -> std::io::Result<()> {
    let parent = seed.parent().unwrap_or(Path::new("."));
    trust::create_private_dir_all(parent)?;
    let temp = tool_home::private_temp_dir(parent)?;
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
    trust::make_private_tree(temp.path())?;
    let listing = tool_home::listing_hash(&temp.path().join("cache"), false)?;
    tool_home::write_atomically(&temp.path().join(LISTING), listing.as_bytes())?;
    tool_home::rename_into_place(temp, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_used_only_with_the_files_it_was_made_with() {
        let cache = tempfile::tempdir().unwrap();
        let seed = cache.path().join("zig-configure-0.17.0-1");
        assert_eq!(
            problem(&seed).unwrap(),
            format!("{} is missing", seed.display())
        );
        let temp = tool_home::private_temp_dir(cache.path()).unwrap();
        std::fs::create_dir_all(temp.path().join("cache/o/1")).unwrap();
        std::fs::write(temp.path().join("cache/o/1/build"), "configurer").unwrap();
        let listing = tool_home::listing_hash(&temp.path().join("cache"), false).unwrap();
        std::fs::write(temp.path().join(LISTING), listing).unwrap();
        tool_home::rename_into_place(temp, &seed).unwrap();
        assert_eq!(problem(&seed), None);
        std::fs::write(seed.join("cache/o/1/build"), "config").unwrap();
        assert_eq!(
            problem(&seed).unwrap(),
            "its files are not those it was made with"
        );
    }
}
