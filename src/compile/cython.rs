//! Cython, the tool: which Cython translates a project's `.pyx` and pure-Python `.py`
//! sources, how a build tool runs it, and the translation itself for backends that do not
//! run it (third-party ones).
//!
//! Cython is a Python package, so it runs as `<python> -I -S <zlig's Cython step> …`
//! (`python/zlig/_cython_step.py`, written into the backend's folder): the interpreter is
//! the hooks' own, by its real file, and the Cython package is the one importable by the
//! hooks' interpreter (the build environment's; a frontend installs it when
//! `get_requires_for_build_wheel` asks), copied once per version into the user's cache
//! (`tool_home`), like zig and ninja. Both outlive a frontend's temporary environment, so
//! an editable install translates an edited `.pyx` after the environment is gone, and the
//! command in the build file is the same from one isolated build to the next, so that a
//! rebuild runs no Cython. When the build environment has no Cython that satisfies
//! `[tool.zlig.cython] requires`, a kept copy that does is used. There is no `cython` on
//! `PATH` to fall back on: its script runs under whatever interpreter its first line
//! names, and the build environment's Cython is the one the frontend installed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use pep440_rs::Version;

use crate::compile::CompileError;
use crate::compile::backend::{BuildEnv, PROJECT_LINK};
use crate::compile::graph::{BuildGraph, CythonStep, CythonTool};
use crate::compile::tool_home;
use crate::error::{IoContext, Result, did_you_mean};
use crate::project::Project;
use crate::project::cython::CythonRequirement;
use crate::project::toml::Located;

/// zlig's Cython step, written into each backend's folder.
pub const STEP: &str = include_str!("../../python/zlig/_cython_step.py");

/// Where the step is written, relative to the backend's folder.
pub const STEP_FILE: &str = "cython/zlig_cython_step.py";

/// The oldest Cython zlig runs: 3.0 has `--module-name` and reads `-M` with `-I` folders.
const OLDEST: &str = "3.0";

/// The environment variable that tells the step where installed packages' `.pxd` files
/// are (`cimport numpy`): the hooks' `sys.path`, or an editable install's at rebuild time.
pub const SEARCH_PATH_VAR: &str = "ZLIG_CYTHON_PATH";

/// What the interpreter running the hooks offers.
#[derive(Debug, Clone, Default)]
pub struct CythonCandidates {
    /// The folder of the `Cython` package it can import, found without importing it.
    pub running: Option<PathBuf>,
    /// Its real file.
    pub python: Option<PathBuf>,
    /// Its `sys.path`, where Cython looks for installed packages' `.pxd` files.
    pub sys_path: Vec<PathBuf>,
    /// Its extension suffix, to prefer kept copies compiled for it.
    pub ext_suffix: String,
}

/// A Cython installation: the folder holding `Cython/` and `cython.py`, and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub folder: PathBuf,
    pub version: Version,
}

impl Installed {
    /// The installation whose `Cython` package is `package`, if it is one.
    pub fn of_package(package: &Path) -> Option<Self> {
        let folder = package.parent()?.to_path_buf();
        Self::in_folder(&folder)
    }

    /// The installation in `folder`, if it holds one.
    pub fn in_folder(folder: &Path) -> Option<Self> {
        if !folder.join("cython.py").is_file() {
            return None;
        }
        let shadow = std::fs::read_to_string(folder.join("Cython").join("Shadow.py")).ok()?;
        let version = shadow.lines().find_map(|line| {
            let value = line.strip_prefix("__version__")?.trim_start();
            let value = value.strip_prefix('=')?.trim().trim_matches(['"', '\'']);
            Version::from_str(value).ok()
        })?;
        Some(Self {
            folder: folder.to_path_buf(),
            version,
        })
    }
}

impl CythonCandidates {
    /// The Cython to run: the running interpreter's if it satisfies `requires`, else the
    /// newest kept copy that does (one compiled for this interpreter first).
    pub fn find(&self, requires: &Located<CythonRequirement>) -> Result<CythonTool> {
        let oldest = Version::from_str(OLDEST).expect("a version");
        let fits = |c: &Installed| c.version >= oldest && requires.value.accepts(&c.version);
        let running = self.running.as_deref().and_then(Installed::of_package);
        let chosen = match &running {
            Some(found) if fits(found) => Some(tool_home::settle_cython(found)),
            _ => self.kept().into_iter().find(fits),
        };
        let Some(chosen) = chosen else {
            return Err(self.not_found(running.as_ref(), requires, &oldest));
        };
        let Some(python) = self.python.clone() else {
            return Err(requires.error("no Python interpreter to run Cython with"));
        };
        Ok(CythonTool {
            python,
            package: chosen.folder,
            version: chosen.version.to_string(),
            sys_path: self.sys_path.clone(),
        })
    }

    /// Whether `find` would find one: `get_requires_for_build_wheel` asks for none then.
    pub fn has(&self, requires: &Located<CythonRequirement>) -> bool {
        self.find(requires).is_ok()
    }

    /// The kept copies, best first.
    fn kept(&self) -> Vec<Installed> {
        let mut kept: Vec<(bool, Installed)> = tool_home::kept_cythons()
            .into_iter()
            .filter_map(|folder| Installed::in_folder(&folder))
            .map(|found| {
                let compiled = !self.ext_suffix.is_empty()
                    && found
                        .folder
                        .join("Cython/Compiler")
                        .join(format!("Scanning{}", self.ext_suffix))
                        .is_file();
                (compiled, found)
            })
            .collect();
        kept.sort_by(|a, b| (b.0, &b.1.version).cmp(&(a.0, &a.1.version)));
        kept.into_iter().map(|(_, found)| found).collect()
    }

    fn not_found(
        &self,
        running: Option<&Installed>,
        requires: &Located<CythonRequirement>,
        oldest: &Version,
    ) -> crate::error::Error {
        let wanted = &requires.value.text;
        let install = format!(
            "install one that does (`pip install \"{wanted}\"`; a frontend does when `get_requires_for_build_wheel` asks for it)"
        );
        match running {
            Some(found) if found.version < *oldest => requires.error(format!(
                "Cython {} ({}) is older than {OLDEST}, the oldest zlig runs; {install}",
                found.version,
                found.folder.join("Cython").display()
            )),
            Some(found) => requires.error(format!(
                "Cython {} ({}) does not satisfy `{wanted}`, nor does a copy zlig kept; {install}",
                found.version,
                found.folder.join("Cython").display()
            )),
            None => requires.error(format!(
                "the project has Cython sources, and no Cython that satisfies `{wanted}` is importable here, nor kept by zlig; {install}"
            )),
        }
    }
}

/// Checks every directive the project names against those `tool` knows, with a "did you
/// mean" for a misspelt one.
pub fn check_directives(project: &Project, tool: &CythonTool) -> Result<()> {
    let declared: Vec<&Located<String>> = project
        .settings
        .cython
        .directives
        .values()
        .chain(
            project
                .settings
                .extensions
                .iter()
                .flat_map(|e| e.cython_directives.values()),
        )
        .map(|(name, _)| name)
        .collect();
    if declared.is_empty() {
        return Ok(());
    }
    let known = known_directives(tool)?;
    for name in declared {
        if !known.contains(&name.value) {
            let hint = did_you_mean(&name.value, known.iter().map(String::as_str))
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            return Err(name.error(format!(
                "Cython {} has no directive `{}`{hint}",
                tool.version, name.value
            )));
        }
    }
    Ok(())
}

/// The directives `tool` knows, asked once per kept copy (and remembered in it).
fn known_directives(tool: &CythonTool) -> Result<BTreeSet<String>> {
    let remembered = tool.package.join("zlig-directives.json");
    let parse = |text: &str| serde_json::from_str::<BTreeSet<String>>(text).ok();
    // A memo another user could have written is not taken (`trust`).
    if let Some(names) = Some(&remembered)
        .filter(|file| crate::trust::why_unsafe(file).is_none())
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|t| parse(&t))
    {
        return Ok(names);
    }
    let mut command = Command::new(&tool.python);
    command.args(["-I", "-S", "-c", STEP, "--directives"]);
    command.arg(&tool.package);
    let output = crate::compile::process::output(&mut command)?;
    let text = String::from_utf8_lossy(&output.stdout);
    let names = parse(&text)
        .filter(|_| output.status.success())
        .ok_or_else(|| CompileError::Failed {
            output: format!(
                "asking Cython {} for its directives failed:\n{}",
                tool.version,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ),
            command: None,
        })?;
    if tool_home::is_kept(&tool.package) {
        // Only a memo: without it the next build asks again.
        let _ = tool_home::write_atomically(&remembered, text.as_bytes());
    }
    Ok(names)
}

/// Writes zlig's Cython step into the backend's folder.
pub fn write_step(env: &BuildEnv) -> Result<()> {
    let path = env.work_dir.join(STEP_FILE);
    if std::fs::read_to_string(&path).is_ok_and(|text| text == STEP) {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().unwrap_or(&env.work_dir))
        .context(|| format!("creating {}", path.display()))?;
    std::fs::write(&path, STEP).context(|| format!("writing {}", path.display()))
}

/// The depfile of a step's output.
pub fn depfile(step: &CythonStep) -> PathBuf {
    let mut name = step.output.clone().into_os_string();
    name.push(".d");
    PathBuf::from(name)
}

/// The command that runs `step`, from the backend's folder (arguments after the program).
pub fn arguments(tool: &CythonTool, step: &CythonStep) -> Vec<String> {
    let text = |path: &Path| path.to_string_lossy().into_owned();
    let mut args = vec![
        "-I".to_string(),
        "-S".to_string(),
        STEP_FILE.to_string(),
        text(&tool.package),
        PROJECT_LINK.to_string(),
        text(&step.source),
        format!("--output={}", text(&step.output)),
        format!("--depfile={}", text(&depfile(step))),
    ];
    args.extend(step.args.iter().cloned());
    args
}

/// The value of `SEARCH_PATH_VAR` for a build.
pub fn search_path(tool: &CythonTool) -> std::ffi::OsString {
    std::env::join_paths(&tool.sys_path).unwrap_or_default()
}

/// Translates every Cython source of `graph` that changed since its last translation, for a
/// backend that does not: returns the graph with each generated file among its extension's
/// sources (by absolute path), and the optional extensions whose translation failed (left
/// out, with a warning). The steps run in one process of the step's (`--batch`), as many at
/// once as there are cores: one tool process, which an interruption ends with its group.
pub fn translate(graph: &BuildGraph, env: &BuildEnv) -> Result<(BuildGraph, Vec<String>)> {
    let Some(tool) = &graph.cython else {
        return Ok((graph.clone(), Vec::new()));
    };
    write_step(env)?;
    env.link_project(&graph.root)?;
    let steps: Vec<(usize, &CythonStep)> = graph
        .extensions
        .iter()
        .enumerate()
        .flat_map(|(i, ext)| ext.cython.iter().map(move |step| (i, step)))
        .filter(|(_, step)| !up_to_date(env, tool, step))
        .collect();
    let to_run: Vec<&CythonStep> = steps.iter().map(|(_, step)| *step).collect();
    let (failed, messages) = run_batch(tool, env, &to_run)?;
    let mut skipped = Vec::new();
    for (i, step) in &steps {
        let ext = &graph.extensions[*i];
        if !failed.contains(&step.output.to_string_lossy().into_owned()) {
            let stamp = env.work_dir.join(command_stamp(step));
            std::fs::write(&stamp, command_line(tool, step))
                .context(|| format!("writing {}", stamp.display()))?;
            continue;
        }
        let err = CompileError::Failed {
            output: messages.clone(),
            command: Some(command_line(tool, step)),
        };
        if !ext.optional {
            return Err(err.into());
        }
        eprintln!(
            "zlig: warning: the optional extension {} failed to build and is left out of the wheel:\n{err}",
            ext.name
        );
        skipped.push(ext.name.clone());
    }
    let mut translated = graph.clone();
    translated.extensions.retain(|e| !skipped.contains(&e.name));
    for ext in &mut translated.extensions {
        let generated = ext
            .cython
            .iter()
            .map(|step| env.work_dir.join(&step.output));
        ext.sources.extend(generated);
    }
    Ok((translated, skipped))
}

/// Runs `steps` in one process of the step script, `env.jobs` at a time: the outputs of
/// those that failed, and Cython's messages.
fn run_batch(
    tool: &CythonTool,
    env: &BuildEnv,
    steps: &[&CythonStep],
) -> Result<(Vec<String>, String)> {
    let Some(first) = steps.first() else {
        return Ok((Vec::new(), String::new()));
    };
    let batch: Vec<Vec<String>> = steps
        .iter()
        .map(|step| arguments(tool, step).split_off(3))
        .collect();
    let file = env.work_dir.join("cython").join("batch.json");
    let json = serde_json::to_string(&batch).expect("arguments serialize");
    std::fs::write(&file, json).context(|| format!("writing {}", file.display()))?;
    let mut command = Command::new(&tool.python);
    command
        .args(["-I", "-S", STEP_FILE, "--batch", "cython/batch.json"])
        .arg(env.jobs.to_string())
        .current_dir(&env.work_dir)
        .env(SEARCH_PATH_VAR, search_path(tool));
    let output = crate::compile::process::output(&mut command)?;
    let messages = String::from_utf8_lossy(&output.stderr)
        .trim_end()
        .to_string();
    let reported = serde_json::from_slice::<Vec<String>>(&output.stdout).ok();
    let Some(failed) = reported.filter(|_| output.status.success()) else {
        return Err(CompileError::Failed {
            output: messages,
            command: Some(command_line(tool, first)),
        }
        .into());
    };
    if env.verbose && !messages.is_empty() {
        eprintln!("{messages}");
    }
    Ok((failed, messages))
}

fn command_stamp(step: &CythonStep) -> PathBuf {
    let mut name = step.output.clone().into_os_string();
    name.push(".command");
    PathBuf::from(name)
}

fn command_line(tool: &CythonTool, step: &CythonStep) -> String {
    std::iter::once(tool.python.to_string_lossy().into_owned())
        .chain(arguments(tool, step))
        .map(|word| shlex::try_quote(&word).map_or(word.clone(), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `step`'s output is newer than everything its last translation read, and was
/// made by the same command (what ninja checks for the built-in backends).
fn up_to_date(env: &BuildEnv, tool: &CythonTool, step: &CythonStep) -> bool {
    let in_dir = |path: &Path| env.work_dir.join(path);
    let Ok(made) = std::fs::metadata(in_dir(&step.output)).and_then(|m| m.modified()) else {
        return false;
    };
    let same_command = std::fs::read_to_string(in_dir(&command_stamp(step)))
        .is_ok_and(|stored| stored == command_line(tool, step));
    let step_file = std::iter::once(PathBuf::from(STEP_FILE));
    let Ok(text) = std::fs::read_to_string(in_dir(&depfile(step))) else {
        return false;
    };
    same_command
        && step_file.chain(prerequisites(&text)).all(|input| {
            std::fs::metadata(in_dir(&input))
                .and_then(|m| m.modified())
                .is_ok_and(|changed| changed <= made)
        })
}

/// The prerequisites of a depfile the step wrote (`target: \` then one per line), read as
/// ninja reads them: a blank after an odd number of backslashes (half of them kept), `#`
/// after one, `$$` as `$`.
fn prerequisites(text: &str) -> Vec<PathBuf> {
    let rest = text.split_once(": \\\n").map_or("", |(_, rest)| rest);
    let rest = rest.replace("\\\n", " ");
    let mut names = Vec::new();
    let mut name = String::new();
    let mut backslashes: usize = 0;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        let kept = match c {
            '\\' => {
                backslashes += 1;
                continue;
            }
            ' ' if backslashes % 2 == 1 => backslashes / 2,
            '#' => backslashes.saturating_sub(1),
            '$' if chars.peek() == Some(&'$') => {
                chars.next();
                backslashes
            }
            c if c.is_whitespace() => {
                name.extend(std::iter::repeat_n('\\', backslashes));
                if !name.is_empty() {
                    names.push(PathBuf::from(std::mem::take(&mut name)));
                }
                backslashes = 0;
                continue;
            }
            _ => backslashes,
        };
        name.extend(std::iter::repeat_n('\\', kept));
        name.push(c);
        backslashes = 0;
    }
    name.extend(std::iter::repeat_n('\\', backslashes));
    if !name.is_empty() {
        names.push(PathBuf::from(name));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_depfile_of_the_step_reads_back() {
        let text = "cython/pkg.a/a.c: \\\n  project/src/pkg/b.pxd \\\n  /x/with\\ space/c.pxd \\\n  project/src/pkg/a\\#1$$2.pxi \\\n  /x/back\\\\\\ slash\\y.pxd \\\n  project/src/pkg/a.pyx\n";
        assert_eq!(
            prerequisites(text),
            [
                PathBuf::from("project/src/pkg/b.pxd"),
                PathBuf::from("/x/with space/c.pxd"),
                PathBuf::from("project/src/pkg/a#1$2.pxi"),
                PathBuf::from("/x/back\\ slash\\y.pxd"),
                PathBuf::from("project/src/pkg/a.pyx")
            ]
        );
    }

    #[test]
    fn the_version_is_read_from_the_shadow_module() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Cython")).unwrap();
        std::fs::write(dir.path().join("cython.py"), "").unwrap();
        std::fs::write(
            dir.path().join("Cython/Shadow.py"),
            "# cython.* namespace\n__version__ = \"3.1.4\"\n",
        )
        .unwrap();
        let found = Installed::of_package(&dir.path().join("Cython")).unwrap();
        assert_eq!(found.version.to_string(), "3.1.4");
    }
}
