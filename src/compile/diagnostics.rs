//! Compiler output as the user reads it. The built-in backends compile through a link to
//! the project in their own folder (`backend::PROJECT_LINK`), so compilers name the
//! project's files `project/src/…`, a path no editor opens from the project; and ninja
//! shows a failed command with the object cache's launcher in front of the compiler's.
//! Here paths through the link become paths from the project root, files zlig generates in
//! the backend's folder become absolute, and a failed ninja edge is split into the
//! compiler's diagnostic and the compiler's own command.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::compile::backend::PROJECT_LINK;

/// Folders of a backend's own that compilers may name files in: generated Cython C (beside
/// `cython::STEP_FILE`) and the C++ terminate handler (`backend::CXX_TERMINATE_FILE`).
const GENERATED: &[&str] = &["cython", "support"];

/// A relative path that starts where a word of compiler output starts (a line, a space, a
/// quote, a bracket), through the project link or a generated folder.
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    let folders = std::iter::once(PROJECT_LINK)
        .chain(GENERATED.iter().copied())
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!(r#"(?m)(^|[\s'"`(\[<=,])({folders})/"#)).expect("valid regex")
});

/// `text` with the files it names as the user knows them: those through the project link
/// of `work_dir` (relative, or absolute as zig sometimes prints them) relative to the
/// project root, those in `work_dir`'s generated folders absolute.
pub fn user_paths(text: &str, work_dir: &Path) -> String {
    let link = work_dir.join(PROJECT_LINK);
    let mut text = text.replace(&format!("{}/", link.display()), "");
    if let Ok(real) = work_dir.canonicalize()
        && real != work_dir
    {
        text = text.replace(&format!("{}/", real.join(PROJECT_LINK).display()), "");
    }
    RELATIVE
        .replace_all(&text, |found: &regex::Captures| match &found[2] {
            PROJECT_LINK => found[1].to_string(),
            folder => format!("{}{}/", &found[1], work_dir.join(folder).display()),
        })
        .into_owned()
}

/// A failed ninja run, split: what the compilers said, and the command of the first failed
/// edge with the `launcher` text (the object cache's words) taken off its front.
pub struct NinjaFailure {
    pub diagnostics: String,
    pub command: Option<String>,
}

/// Reads ninja's output of a failed run: status lines (`[3/8] compiling …`) and ninja's own
/// words (`ninja: Entering directory …`, `ninja: build stopped …`) are left out, the first
/// failed edge's command is kept apart.
pub fn ninja_failure(output: &str, launcher: &str) -> NinjaFailure {
    let mut diagnostics = Vec::new();
    let mut command = None;
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("FAILED: ") {
            let failed = lines.next().unwrap_or_default();
            let compiler = failed
                .strip_prefix(launcher)
                .filter(|_| !launcher.is_empty())
                .unwrap_or(failed)
                .trim_start();
            command.get_or_insert_with(|| compiler.to_string());
        } else if !is_status_line(line) && !line.starts_with("ninja: ") {
            diagnostics.push(line);
        }
    }
    NinjaFailure {
        diagnostics: diagnostics.join("\n").trim().to_string(),
        command,
    }
}

/// Whether `line` is one of ninja's progress lines, `[n/m] description`.
pub fn is_status_line(line: &str) -> bool {
    static STATUS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\[\d+/\d+\] ").expect("valid regex"));
    STATUS.is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_through_the_link_are_named_from_the_project_root() {
        let work = Path::new("/w/build/zlig/cp311/ninja");
        let text = "project/src/demo/demo.c:3:5: error: expected ';'\nIn file included from project/include/a.h:1,\n/w/build/zlig/cp311/ninja/project/src/b.c:1:1: note: here\ncython/demo.v/v.c:9:1: error: x\nmyproject/x.c stays\n/usr/include/stdio.h:1: note: outside";
        assert_eq!(
            user_paths(text, work),
            "src/demo/demo.c:3:5: error: expected ';'\nIn file included from include/a.h:1,\nsrc/b.c:1:1: note: here\n/w/build/zlig/cp311/ninja/cython/demo.v/v.c:9:1: error: x\nmyproject/x.c stays\n/usr/include/stdio.h:1: note: outside"
        );
    }

    #[test]
    fn a_failed_ninja_edge_shows_the_compiler_s_command_and_diagnostic() {
        let launcher = "/usr/bin/python3 -I -S /c/objects/object_cache-1.py /c/objects 0a1b --";
        let output = format!(
            "ninja: Entering directory `/w'\n[1/3] compiling project/src/a.c\nFAILED: [code=1] obj/demo/0-a.c.o \n{launcher} /z/zig cc -c project/src/a.c -o obj/demo/0-a.c.o\nproject/src/a.c:1:1: error: oops\n1 error generated.\nninja: build stopped: subcommand failed.\n"
        );
        let failure = ninja_failure(&output, launcher);
        assert_eq!(
            failure.diagnostics,
            "project/src/a.c:1:1: error: oops\n1 error generated."
        );
        assert_eq!(
            failure.command.as_deref(),
            Some("/z/zig cc -c project/src/a.c -o obj/demo/0-a.c.o")
        );
    }
}
