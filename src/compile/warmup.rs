//! Long steps, announced before they start so that a build never looks stuck: zig's
//! one-time costs and a cold compile, each with how long it took the last time where zlig
//! knows.
//!
//! Zig compiles its build runner once per version (about 1–2 minutes on 2 cores), its C
//! runtime (compiler_rt, libc stubs) once per target and mode, libc++ once per target and
//! mode (about a minute), and its translate-c tool once (ARCHITECTURE.md, "Zig facts", 5).
//! A marker file per cost lives in `<zig global cache>/zlig-warm/`, so deleting zig's cache
//! forgets them too. How long each kind of step took is remembered in the user cache
//! (`durations.json`), best effort: a cache that cannot be written only means no estimate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::compile::graph::BuildGraph;
use crate::compile::tool_home::{self, zig_global_cache};
use crate::compile::toolchain::Zig;
use crate::project::extension::Language;

/// A one-time cost: its marker name, its kind and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warmup {
    key: String,
    kind: &'static str,
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
            kind: "runner",
            message: format!(
                "first use of zig {} on this machine: zig compiles its build runner once (1-2 minutes)",
                zig.version
            ),
        });
    }
    let target = &graph.target.zig_triple;
    let mode = graph.optimize;
    costs.push(Warmup {
        key: format!("crt-{}-{target}-{mode:?}", zig.version),
        kind: "crt",
        message: format!(
            "first {mode:?} build for {target}: zig builds its C runtime (compiler_rt, libc stubs) once"
        ),
    });
    if graph.extensions.iter().any(|e| e.language == Language::Cxx) {
        costs.push(Warmup {
            key: format!("libcxx-{}-{target}-{mode:?}", zig.version),
            kind: "libcxx",
            message: format!(
                "first C++ build for {target}: zig compiles libc++ once (about a minute)"
            ),
        });
    }
    if graph.extensions.iter().any(|e| e.language == Language::Zig) {
        costs.push(Warmup {
            key: format!("translate-c-{}", zig.version),
            kind: "translate-c",
            message: "first Zig extension: zig compiles its translate-c tool once (about a minute)"
                .into(),
        });
    }
    costs.retain(|cost| marker(&cost.key).is_some_and(|m| !m.exists()));
    costs
}

/// The kind of a build that pays `costs` together, under which its duration is remembered.
fn kind_of(costs: &[Warmup]) -> String {
    let kinds: Vec<&str> = costs.iter().map(|c| c.kind).collect();
    format!("warmup:{}", kinds.join("+"))
}

/// The lines announcing `costs`, the last with how long the same costs took last time.
pub fn announcements(costs: &[Warmup]) -> Vec<String> {
    let mut lines: Vec<String> = costs.iter().map(|c| c.message.clone()).collect();
    if let (Some(last), Some(took)) = (lines.last_mut(), remembered(&kind_of(costs))) {
        last.push_str(&format!(" (this took {} last time)", human(took)));
    }
    lines
}

/// Records that the costs were paid, by a build that took `took`; failures only mean the
/// message shows again.
pub fn paid(costs: &[Warmup], took: Duration) {
    if costs.is_empty() {
        return;
    }
    for cost in costs {
        if let Some(path) = marker(&cost.key) {
            let _ = tool_home::write_atomically(&path, b"");
        }
    }
    remember(&kind_of(costs), took.as_secs_f64());
}

/// The kind of a cold compile: per backend, per source file.
fn compile_kind(backend: &str) -> String {
    format!("compile-per-source:{backend}")
}

/// How long a cold compile of `sources` files with `backend` should take, going by the last
/// one, when that is known and long enough to say.
pub fn compile_estimate(backend: &str, sources: usize) -> Option<String> {
    let seconds = remembered(&compile_kind(backend))? * sources as f64;
    (seconds >= 2.0).then(|| format!("about {} going by the last time", human(seconds)))
}

/// Remembers how long a cold compile of `sources` files with `backend` took.
pub fn compiled(backend: &str, sources: usize, took: Duration) {
    if sources > 0 {
        remember(&compile_kind(backend), took.as_secs_f64() / sources as f64);
    }
}

/// A duration as people say it: `8 s`, `2 min 5 s`.
fn human(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    match whole {
        0..60 => format!("{} s", whole.max(1)),
        _ => format!("{} min {} s", whole / 60, whole % 60),
    }
}

const DURATIONS: &str = "durations.json";

/// The durations remembered in zlig's cache, from a file no other user could have written
/// (`trust`).
fn durations() -> BTreeMap<String, f64> {
    tool_home::trusted_cache_dir()
        .map(|dir| dir.join(DURATIONS))
        .filter(|file| crate::trust::why_unsafe(file).is_none())
        .and_then(|file| std::fs::read(file).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn remembered(kind: &str) -> Option<f64> {
    durations().get(kind).copied()
}

fn remember(kind: &str, seconds: f64) {
    let Some(dir) = tool_home::writable_cache_dir() else {
        return;
    };
    let mut all = durations();
    all.insert(kind.to_string(), seconds);
    if let Ok(bytes) = serde_json::to_vec(&all) {
        let _ = tool_home::write_atomically(&dir.join(DURATIONS), &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_said_in_seconds_then_minutes() {
        assert_eq!(human(0.2), "1 s");
        assert_eq!(human(46.4), "46 s");
        assert_eq!(human(125.0), "2 min 5 s");
    }
}
