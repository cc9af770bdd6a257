//! What the sdist leaves out of the folders it walks: build outputs (modules built in
//! place, objects, bytecode caches) and what the project's `.gitignore` files ignore, as
//! hatchling and uv_build do.
//!
//! Each `.gitignore` is read with the `ignore` crate (ripgrep's gitignore rules); how
//! several combine is git's: a path is ignored when it, or a folder above it, is ignored by
//! the deepest `.gitignore` that has a say about it, so nothing below an ignored folder comes
//! back. Only the project's own `.gitignore` files count, not those of folders above it,
//! so that an sdist builds the same wherever it is unpacked.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// File suffixes of build outputs, which never belong in an sdist.
const BUILD_OUTPUTS: &[&str] = &[".so", ".pyd", ".o", ".dylib", ".dll"];

/// Whether `relative` is a build output: a compiled module, object or library, or anything
/// in a bytecode cache.
pub fn is_build_output(relative: &Path) -> bool {
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    BUILD_OUTPUTS.iter().any(|suffix| name.ends_with(suffix))
        || relative.iter().any(|part| part == "__pycache__")
}

/// The project's `.gitignore` files, read as the walk reaches their folders.
pub struct Ignored {
    root: PathBuf,
    /// Project-relative folder → its `.gitignore`, if it has one.
    read: RefCell<BTreeMap<PathBuf, Option<Gitignore>>>,
}

impl Ignored {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            read: RefCell::new(BTreeMap::new()),
        }
    }

    /// Whether the sdist leaves out `relative`, a file a walk found: a build output, or a
    /// file the project's `.gitignore` files ignore.
    pub fn ignores(&self, relative: &Path) -> bool {
        if is_build_output(relative) {
            return true;
        }
        let parts: Vec<_> = relative.components().collect();
        let mut prefix = PathBuf::new();
        for (index, part) in parts.iter().enumerate() {
            prefix.push(part);
            if self.gitignored(&prefix, index + 1 < parts.len()) {
                return true;
            }
        }
        false
    }

    /// Whether the deepest `.gitignore` with a say about `relative` ignores it.
    fn gitignored(&self, relative: &Path, is_dir: bool) -> bool {
        let path = self.root.join(relative);
        for folder in relative.ancestors().skip(1) {
            let decided = self.with_gitignore(folder, |gitignore| {
                let found = gitignore.matched(&path, is_dir);
                (!found.is_none()).then(|| found.is_ignore())
            });
            if let Some(ignored) = decided.flatten() {
                return ignored;
            }
        }
        false
    }

    /// Runs `look` on the `.gitignore` of the project-relative `folder`, if it has one.
    fn with_gitignore<T>(&self, folder: &Path, look: impl FnOnce(&Gitignore) -> T) -> Option<T> {
        let mut read = self.read.borrow_mut();
        let gitignore = read.entry(folder.to_path_buf()).or_insert_with(|| {
            let dir = self.root.join(folder);
            let file = dir.join(".gitignore");
            if !file.is_file() {
                return None;
            }
            let mut builder = GitignoreBuilder::new(&dir);
            // Like git, a line that is not a valid pattern is passed over, not an error.
            let _ = builder.add(&file);
            builder.build().ok()
        });
        gitignore.as_ref().map(look)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_files_combine_as_git_combines_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/data")).unwrap();
        std::fs::create_dir_all(root.join("notes")).unwrap();
        std::fs::write(root.join(".gitignore"), "*.log\n/notes/\nsecret.txt\n").unwrap();
        std::fs::write(root.join("pkg/.gitignore"), "!keep.log\ngen_*.c\n").unwrap();
        let ignored = Ignored::new(root);
        let ignores = |p: &str| ignored.ignores(Path::new(p));
        assert!(ignores("run.log"));
        assert!(ignores("pkg/data/run.log"));
        assert!(!ignores("pkg/keep.log"), "a deeper .gitignore wins");
        assert!(ignores("pkg/gen_table.c"));
        assert!(
            !ignores("gen_table.c"),
            "a .gitignore speaks for its own folder only"
        );
        assert!(
            ignores("notes/keep.log"),
            "nothing comes back from an ignored folder"
        );
        assert!(ignores("pkg/secret.txt"));
        assert!(!ignores("pkg/__init__.py"));
        assert!(ignores("pkg/_speedups.cpython-311-x86_64-linux-gnu.so"));
        assert!(ignores("pkg/__pycache__/x.txt"));
        assert!(ignores("csrc/a.o"));
    }
}
