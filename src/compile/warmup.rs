//! Remembers which one-time costs of zig's global cache were already paid on this machine,
//! so that a build about to pay one says so instead of looking stuck.
//!
//! Zig compiles its build runner once per version (about 1–2 minutes on 2 cores), libc++
//! once per target and mode (about a minute), and its translate-c tool once
//! (ARCHITECTURE.md, "Zig facts", 5).
//! A marker file per cost lives in `<zig global cache>/zlig-warm/`, so deleting zig's cache
//! forgets them too.

use std::path::PathBuf;

use crate::compile::graph::BuildGraph;
use crate::compile::tool_home::zig_global_cache;
use crate::compile::toolchain::Zig;
use crate::project::extension::Language;

/// A one-time cost: its marker name and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warmup {
    key: String,
    pub message: String,
}

fn marker(key: &str) -> Option<PathBuf> {
    zig_global_cache().map(|dir| dir.join("zlig-warm").join(key))
}

/// The one-time costs this build of `graph` will pay, with `uses_runner` for `zig build`.
pub fn pending(zig: &Zig, graph: &BuildGraph, uses_runner: bool) -> Vec<Warmup> {
    let mut costs = Vec::new();
    if uses_runner {
        costs.push(Warmup {
            key: format!("runner-{}", zig.version),
            message: format!(
                "first use of zig {} on this machine: zig compiles its build runner once (1-2 minutes)",
                zig.version
            ),
        });
    }
    let target = &graph.target.zig_triple;
    if graph.extensions.iter().any(|e| e.language == Language::Cxx) {
        costs.push(Warmup {
            key: format!("libcxx-{}-{target}-{:?}", zig.version, graph.optimize),
            message: format!(
                "first C++ build for {target}: zig compiles libc++ once (about a minute)"
            ),
        });
    }
    if graph.extensions.iter().any(|e| e.language == Language::Zig) {
        costs.push(Warmup {
            key: format!("translate-c-{}", zig.version),
            message: "first Zig extension: zig compiles its translate-c tool once (about a minute)"
                .into(),
        });
    }
    costs.retain(|cost| marker(&cost.key).is_some_and(|m| !m.exists()));
    costs
}

/// Records that the costs were paid; failures only mean the message shows again.
pub fn paid(costs: &[Warmup]) {
    for cost in costs {
        if let Some(path) = marker(&cost.key) {
            let _ = crate::compile::tool_home::write_atomically(&path, b"");
        }
    }
}
