//! The environment snapshot: everything that decides the content of a build file.
//!
//! It is written as versioned JSON next to the build file. When the snapshot of this build
//! equals the stored one, the build file is still right and is not written again, which is
//! what keeps a no-op rebuild a no-op.

use std::path::Path;

use serde::Serialize;

use crate::compile::graph::BuildGraph;
use crate::error::{IoContext, Result};

/// Bumped whenever the snapshot's shape or the generators change meaning.
const FORMAT: u32 = 3;

/// What a build file depends on.
#[derive(Debug, Serialize)]
pub struct Snapshot<'a> {
    format: u32,
    zlig: &'static str,
    backend: &'a str,
    tools: String,
    jobs: usize,
    graph: &'a BuildGraph,
}

impl<'a> Snapshot<'a> {
    pub fn new(backend: &'a str, tools: String, jobs: usize, graph: &'a BuildGraph) -> Self {
        Self {
            format: FORMAT,
            zlig: env!("CARGO_PKG_VERSION"),
            backend,
            tools,
            jobs,
            graph,
        }
    }

    /// The snapshot as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("snapshot values serialize") + "\n"
    }

    /// Whether `path` holds this very snapshot.
    pub fn matches(&self, path: &Path) -> bool {
        std::fs::read_to_string(path).is_ok_and(|stored| stored == self.to_json())
    }

    /// Stores the snapshot; called only after the build file was written.
    pub fn store(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).context(|| format!("writing {}", path.display()))
    }
}
