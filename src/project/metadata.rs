//! The `[project]` table (PEP 621), read and validated into `Metadata`.
//!
//! Validation happens here, once: PEP 440 versions, PEP 508 requirements, SPDX license
//! expressions (PEP 639), names, and every value that becomes a header of Core Metadata or
//! a line of `entry_points.txt` (no line breaks or other control characters, which would
//! start a header of their own). What `distribution::core_metadata` renders is then known
//! to be valid. Finding the file to read dynamic values from is `discovery`'s job; this
//! module only asks for it.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/pyproject-toml/>

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

use super::dynamic;
use super::files::{Kind, Pattern, existing};
use super::names::{is_dotted_name, is_identifier};
use super::settings::VersionFile;
use super::toml::{Field, Located, Place, Table};
use crate::error::{ConfigError, IoContext, Result};

/// The core metadata of the distribution.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The name as the user wrote it (Core Metadata keeps it verbatim).
    pub name: String,
    /// The PEP 503 normalized name.
    pub normalized: PackageName,
    pub version: Version,
    pub summary: Option<String>,
    pub readme: Option<Readme>,
    pub requires_python: Option<VersionSpecifiers>,
    pub license: Option<License>,
    /// Project-relative license files, copied to `.dist-info/licenses/`.
    pub license_files: Vec<PathBuf>,
    pub authors: Vec<Person>,
    pub maintainers: Vec<Person>,
    pub keywords: Vec<String>,
    pub classifiers: Vec<String>,
    pub urls: Vec<(String, String)>,
    pub dependencies: Vec<Requirement>,
    pub optional_dependencies: BTreeMap<ExtraName, Vec<Requirement>>,
    /// Entry point group → name → object reference, for `entry_points.txt`.
    pub entry_points: BTreeMap<String, BTreeMap<String, String>>,
    /// `import-names` (PEP 794), when given: what the project provides to `import`.
    pub import_names: Option<Vec<ImportName>>,
    /// `import-namespaces` (PEP 794), when given: namespace packages it adds to.
    pub import_namespaces: Option<Vec<ImportName>>,
    /// The project files the metadata is read from besides `pyproject.toml` (the readme,
    /// listed license files, the version file, the Python file of `__version__`), each with
    /// the key that makes it read: an sdist without one could not be built into a wheel.
    pub read_from: Vec<(PathBuf, Place)>,
}

/// One entry of `import-names` or `import-namespaces` (PEP 794).
#[derive(Debug, Clone)]
pub struct ImportName {
    /// The dotted name.
    pub name: String,
    /// Marked `; private`: importable, but not meant for users.
    pub private: bool,
    /// The entry, for the check that the wheel provides the name
    /// (`distribution::contents::check_import_names`).
    pub place: Place,
}

impl std::fmt::Display for ImportName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.private {
            true => write!(f, "{}; private", self.name),
            false => f.write_str(&self.name),
        }
    }
}

/// The long description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readme {
    pub text: String,
    pub content_type: String,
    /// The file it was read from, which the sdist must carry.
    pub file: Option<PathBuf>,
}

/// The license, as PEP 639 or in its legacy forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    /// A valid SPDX expression, written as `License-Expression`.
    Expression(String),
    /// Legacy `{text = ...}`, written as `License`.
    Text(String),
}

/// An author or maintainer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
}

const PROJECT_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "readme",
    "requires-python",
    "license",
    "license-files",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "urls",
    "dependencies",
    "optional-dependencies",
    "scripts",
    "gui-scripts",
    "entry-points",
    "import-names",
    "import-namespaces",
    "dynamic",
];

/// Files matched by default when `license-files` is not given (PEP 639's suggestion).
const DEFAULT_LICENSE_FILES: &[&str] = &["LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*"];

impl Metadata {
    /// Reads and validates `[project]`. `dynamic_source` names the project-relative file
    /// to read dynamic values from; it is asked for only when `dynamic` lists one.
    ///
    /// A dynamic version comes from `version_file` when it is given (`[tool.zlig.version]`).
    /// Whether the wheel provides each import name is checked against its contents later.
    pub fn read(
        project: &Table<'_>,
        root: &Path,
        dynamic_source: impl FnOnce() -> Option<PathBuf>,
        version_file: Option<&VersionFile>,
    ) -> Result<Self> {
        project.reject_unknown(PROJECT_KEYS)?;
        let name = project
            .string("name")?
            .ok_or_else(|| project.place.error("missing required key `name`"))?;
        let dynamic = Dynamic::read(project, root, dynamic_source, version_file)?;
        let (license, mut license_files) = read_license(project, root)?;
        let listed_licenses = read_license_files(project, root)?;
        let readme = read_readme(project, root)?;
        let place = |key: &str| project.get(key).map(|field| field.place);
        let mut read_from = dynamic.files(place("dynamic"));
        let readme_file = readme.as_ref().and_then(|r| r.file.clone());
        let by_key = [
            ("readme", Vec::from_iter(readme_file)),
            ("license", license_files.clone()),
            // Files the default globs match are not read if missing.
            ("license-files", listed_licenses.clone()),
        ];
        for (key, files) in by_key {
            if let Some(place) = place(key) {
                read_from.extend(files.into_iter().map(|file| (file, place.clone())));
            }
        }
        license_files.extend(listed_licenses);
        license_files.sort();
        license_files.dedup();
        let (import_names, import_namespaces) = read_import_names(project)?;
        Ok(Self {
            normalized: check_name(&name)?,
            name: name.value,
            version: dynamic.version(project)?,
            summary: dynamic.summary(project)?,
            readme,
            requires_python: read_requires_python(project)?,
            license,
            license_files,
            authors: read_people(project, "authors")?,
            maintainers: read_people(project, "maintainers")?,
            keywords: header_texts(project, "keywords")?,
            classifiers: header_texts(project, "classifiers")?,
            urls: read_urls(project)?,
            dependencies: project
                .strings("dependencies")?
                .unwrap_or_default()
                .iter()
                .map(parse_requirement)
                .collect::<Result<_>>()?,
            optional_dependencies: read_extras(project)?,
            entry_points: read_entry_points(project)?,
            import_names,
            import_namespaces,
            read_from,
        })
    }

    /// The `{name}-{version}` stem of file names (wheel, sdist, dist-info), PEP 427/625.
    pub fn dist_stem(&self) -> String {
        format!("{}-{}", self.normalized.as_dist_info_name(), self.version)
    }

    /// The `.dist-info` directory name.
    pub fn dist_info(&self) -> String {
        format!("{}.dist-info", self.dist_stem())
    }
}

/// What `[project] dynamic` lists, and the files it is read from.
struct Dynamic<'a> {
    version: bool,
    description: bool,
    /// The Python file (project-relative) and its text, when something is read from it.
    source: Option<(PathBuf, String)>,
    /// `[tool.zlig.version]`, which the version is read from instead, and the file's text.
    version_file: Option<(&'a VersionFile, PathBuf, String)>,
}

impl<'a> Dynamic<'a> {
    fn read(
        project: &Table<'_>,
        root: &Path,
        dynamic_source: impl FnOnce() -> Option<PathBuf>,
        version_file: Option<&'a VersionFile>,
    ) -> Result<Self> {
        let entries = project.strings("dynamic")?.unwrap_or_default();
        let mut dynamic = Self {
            version: false,
            description: false,
            source: None,
            version_file: None,
        };
        for entry in &entries {
            match entry.value.as_str() {
                "version" => dynamic.version = true,
                "description" => dynamic.description = true,
                other => {
                    return Err(entry.error(format!(
                        "zlig can read only `version` and `description` dynamically, not `{other}`; give it in `[project]`"
                    )));
                }
            }
        }
        if let Some(table) = version_file {
            if !dynamic.version {
                return Err(table.place.error(
                    "says where to read the version, but `project.dynamic` does not list `version`",
                ));
            }
            let (path, text) = read_file(root, &table.path, "version file")?;
            dynamic.version_file = Some((table, path, text));
        }
        let from_python = entries.iter().find(|e| match e.value.as_str() {
            "version" => version_file.is_none(),
            _ => true,
        });
        if let Some(first) = from_python {
            let file = dynamic_source().ok_or_else(|| {
                first.error(
                    "needs a Python package or module to read from, and the project has none",
                )
            })?;
            let full = root.join(&file);
            let text =
                std::fs::read_to_string(&full).context(|| format!("reading {}", full.display()))?;
            dynamic.source = Some((file, text));
        }
        Ok(dynamic)
    }

    /// The files read, each with the key that makes it read (`dynamic` is
    /// `project.dynamic`'s place).
    fn files(&self, dynamic: Option<Place>) -> Vec<(PathBuf, Place)> {
        let version = self
            .version_file
            .iter()
            .map(|(table, file, _)| (file.clone(), table.path.place.clone()));
        let python = self
            .source
            .iter()
            .zip(dynamic)
            .map(|((file, _), place)| (file.clone(), place));
        version.chain(python).collect()
    }

    fn version(&self, project: &Table<'_>) -> Result<Version> {
        if let Some((table, file, text)) = &self.version_file {
            if let Some(v) = project.string("version")? {
                return Err(v.error("`version` is listed in `dynamic` and also given"));
            }
            return version_from_file(table, file, text);
        }
        let (given, source) = (project.string("version")?, self.source.as_ref());
        match (given, source.filter(|_| self.version)) {
            (Some(v), None) => parse_version(&v),
            (Some(v), Some(_)) => Err(v.error("`version` is listed in `dynamic` and also given")),
            (None, Some((file, text))) => {
                let error = |span, message: String| {
                    ConfigError::at(file, text, span, "__version__", message)
                };
                let value = dynamic::version(text)
                    .map_err(|err| {
                        error(
                            Some(err.span),
                            "expected one plain string literal, such as `__version__ = \"1.0\"`: zlig reads the version without running the code".into(),
                        )
                    })?
                    .ok_or_else(|| {
                        error(
                            None,
                            "`version` is dynamic, but there is no module-level `__version__ = \"...\"` assignment".into(),
                        )
                    })?;
                Version::from_str(&value).map_err(|err| {
                    error(None, format!("`{value}` is not a valid PEP 440 version: {err}")).into()
                })
            }
            (None, None) => Err(project.place.error(
                "missing required key `version` (give it, or list it in `dynamic` to read `__version__`)",
            )),
        }
    }

    fn summary(&self, project: &Table<'_>) -> Result<Option<String>> {
        let (given, source) = (project.string("description")?, self.source.as_ref());
        match (given, source.filter(|_| self.description)) {
            (Some(d), None) => Ok(Some(single_line(&d)?)),
            (Some(d), Some(_)) => {
                Err(d.error("`description` is listed in `dynamic` and also given"))
            }
            (None, Some((file, text))) => {
                let summary = dynamic::docstring(text)
                    .as_deref()
                    .and_then(dynamic::summary)
                    .ok_or_else(|| {
                        ConfigError::without_place(
                            file,
                            "",
                            "`description` is dynamic, but this file has no module docstring",
                        )
                    })?;
                if summary.chars().any(char::is_control) {
                    return Err(ConfigError::without_place(
                        file,
                        "",
                        "the docstring's first line holds a control character, which cannot be a `Summary`",
                    )
                    .into());
                }
                Ok(Some(summary))
            }
            (None, None) => Ok(None),
        }
    }
}

/// The version `table`'s pattern finds in `text` (the file `file`): the first match's
/// version group, as hatchling reads it.
fn version_from_file(table: &VersionFile, file: &Path, text: &str) -> Result<Version> {
    let found = table
        .pattern
        .value
        .captures(text)
        .and_then(|captures| captures.get(table.group));
    let Some(found) = found else {
        return Err(table.pattern.error(format!(
            "matches nothing in {}, so there is no version to read",
            file.display()
        )));
    };
    Version::from_str(found.as_str().trim()).map_err(|err| {
        ConfigError::at(
            file,
            text,
            Some(found.range()),
            "",
            format!(
                "`{}` (the version `tool.zlig.version.pattern` found) is not a valid PEP 440 version: {err}",
                found.as_str()
            ),
        )
        .into()
    })
}

/// Validates and normalizes a project name (PEP 508 names, PEP 503 normalization).
pub fn check_name(name: &Located<String>) -> Result<PackageName> {
    PackageName::from_str(&name.value).map_err(|_| {
        name.error("not a valid project name: use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit")
    })
}

fn parse_version(v: &Located<String>) -> Result<Version> {
    Version::from_str(&v.value)
        .map_err(|err| v.error(format!("not a valid PEP 440 version: {err}")))
}

/// A value that becomes one header line: no line break or other control character.
fn header_text(value: &Located<String>) -> Result<String> {
    if value.value.chars().any(char::is_control) {
        return Err(value.error(
            "must be one line of text: a line break or other control character would start a metadata field of its own",
        ));
    }
    Ok(value.value.clone())
}

/// Text allowed several lines (a legacy license text): no control character but line
/// breaks and tabs; Windows line ends become `\n`.
fn multi_line(value: &Located<String>) -> Result<String> {
    let text = value.value.replace("\r\n", "\n");
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(value.error("must be plain text: a control character other than a line break or tab cannot be written into the metadata"));
    }
    Ok(text)
}

fn single_line(value: &Located<String>) -> Result<String> {
    if value.value.contains(['\n', '\r']) {
        return Err(value.error("must be a single line (put longer text in `readme`)"));
    }
    header_text(value)
}

fn header_texts(project: &Table<'_>, key: &str) -> Result<Vec<String>> {
    project
        .strings(key)?
        .unwrap_or_default()
        .iter()
        .map(header_text)
        .collect()
}

fn parse_requirement(value: &Located<String>) -> Result<Requirement> {
    let requirement = Requirement::from_str(&value.value)
        .map_err(|err| value.error(format!("not a valid PEP 508 requirement: {}", err.message)))?;
    header_text(value)?;
    Ok(requirement)
}

fn read_requires_python(project: &Table<'_>) -> Result<Option<VersionSpecifiers>> {
    let Some(r) = project.string("requires-python")? else {
        return Ok(None);
    };
    header_text(&r)?;
    VersionSpecifiers::from_str(&r.value)
        .map(Some)
        .map_err(|err| {
            // The parser repeats the input with a pointer under it; the place shown with
            // the message does that already.
            let message = err.to_string();
            let first = message.lines().next().unwrap_or_default();
            r.error(format!(
                "not a valid PEP 440 version specifier: {}",
                first.trim_end_matches(':')
            ))
        })
}

/// A readme or license file: its path and text.
fn read_file(root: &Path, relative: &Located<String>, what: &str) -> Result<(PathBuf, String)> {
    let path = existing(root, relative, Kind::File, what)?;
    let full = root.join(&path);
    let text =
        std::fs::read_to_string(&full).context(|| format!("reading {what} {}", full.display()))?;
    Ok((path, text))
}

fn read_readme(project: &Table<'_>, root: &Path) -> Result<Option<Readme>> {
    let Some(field) = project.get("readme") else {
        return Ok(None);
    };
    if field.is_string() {
        let file = field.string()?;
        let content_type = content_type_for(&file.value).ok_or_else(|| {
            file.error("unknown readme type: use a `.md`, `.rst` or `.txt` file, or a table with `content-type`")
        })?;
        let (path, text) = read_file(root, &file, "readme file")?;
        return Ok(Some(Readme {
            text,
            content_type: content_type.to_string(),
            file: Some(path),
        }));
    }
    let table = field
        .table()
        .map_err(|_| field.expected("a file name or a table"))?;
    table.reject_unknown(&["file", "text", "content-type"])?;
    let content_type = table.string("content-type")?;
    let (text, file) = match (table.string("file")?, table.string("text")?) {
        (Some(file), None) => {
            let (path, text) = read_file(root, &file, "readme file")?;
            (text, Some(path))
        }
        (None, Some(text)) => (text.value, None),
        _ => {
            return Err(table
                .place
                .error("expected exactly one of `file` and `text`"));
        }
    };
    let content_type = match content_type {
        Some(ct) => {
            let media_type = ct.value.split(';').next().unwrap_or_default().trim();
            if !matches!(media_type, "text/markdown" | "text/x-rst" | "text/plain") {
                return Err(ct.error(
                    "expected `text/markdown`, `text/x-rst` or `text/plain` (the types package indexes render)",
                ));
            }
            header_text(&ct)?
        }
        None => file
            .as_deref()
            .and_then(|f| content_type_for(&f.to_string_lossy()))
            .map(str::to_string)
            .ok_or_else(|| table.place.error("missing `content-type`"))?,
    };
    Ok(Some(Readme {
        text,
        content_type,
        file,
    }))
}

fn content_type_for(file: &str) -> Option<&'static str> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".md") {
        Some("text/markdown")
    } else if lower.ends_with(".rst") {
        Some("text/x-rst")
    } else if lower.ends_with(".txt") {
        Some("text/plain")
    } else {
        None
    }
}

fn read_license(project: &Table<'_>, root: &Path) -> Result<(Option<License>, Vec<PathBuf>)> {
    let Some(field) = project.get("license") else {
        return Ok((None, Vec::new()));
    };
    if field.is_string() {
        let expr = field.string()?;
        spdx::Expression::parse(&expr.value).map_err(|err| {
            expr.error(format!(
                "not a valid SPDX license expression: {}",
                err.reason
            ))
        })?;
        return Ok((Some(License::Expression(expr.value)), Vec::new()));
    }
    let table = field
        .table()
        .map_err(|_| field.expected("an SPDX expression string or a table"))?;
    table.reject_unknown(&["file", "text"])?;
    match (table.string("file")?, table.string("text")?) {
        (Some(file), None) => {
            let (path, _) = read_file(root, &file, "license file")?;
            Ok((None, vec![path]))
        }
        (None, Some(text)) => Ok((Some(License::Text(multi_line(&text)?)), Vec::new())),
        _ => Err(table
            .place
            .error("expected exactly one of `file` and `text`")),
    }
}

fn read_license_files(project: &Table<'_>, root: &Path) -> Result<Vec<PathBuf>> {
    let Some(globs) = project.strings("license-files")? else {
        return Ok(DEFAULT_LICENSE_FILES
            .iter()
            .map(|glob| {
                Pattern::new(glob)
                    .expect("valid built-in glob")
                    .files_inside(root)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|why| {
                project
                    .place
                    .error(format!("looking for license files: {why}"))
            })?
            .concat());
    };
    let mut files = Vec::new();
    for glob in globs {
        let pattern = Pattern::new(&glob.value).map_err(|err| glob.error(err))?;
        let located = Located {
            value: pattern,
            place: glob.place.clone(),
        };
        files.extend(located.expand(root)?);
    }
    Ok(files)
}

fn read_people(project: &Table<'_>, key: &str) -> Result<Vec<Person>> {
    let Some(field) = project.get(key) else {
        return Ok(Vec::new());
    };
    field
        .tables()?
        .iter()
        .map(|person| {
            person.reject_unknown(&["name", "email"])?;
            let name = person
                .string("name")?
                .map(|n| header_text(&n))
                .transpose()?;
            let email = match person.string("email")? {
                Some(email) => Some(check_email(&email)?),
                None => None,
            };
            if name.is_none() && email.is_none() {
                return Err(person.place.error("expected `name`, `email` or both"));
            }
            Ok(Person { name, email })
        })
        .collect()
}

/// An address for `Author-email`: `local@domain`, with nothing that would break the field's
/// `Name <address>, …` list.
fn check_email(email: &Located<String>) -> Result<String> {
    let text = header_text(email)?;
    let valid = text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !text.contains([' ', ',', '<', '>', '"']);
    if !valid {
        return Err(email.error("expected an email address such as `ann@example.org`"));
    }
    Ok(text)
}

/// `urls`: a label and a URL each; the label may not hold the `, ` that separates them.
fn read_urls(project: &Table<'_>) -> Result<Vec<(String, String)>> {
    let Some(table) = project.table("urls")? else {
        return Ok(Vec::new());
    };
    let mut urls = Vec::new();
    for label in table.keys() {
        let url = table.string(label)?.expect("listed key");
        let label_value = Located {
            value: label.to_string(),
            place: url.place.clone(),
        };
        if label.contains(',') {
            return Err(url.error("a URL label cannot hold a comma: `Project-URL` separates the label from the URL with one"));
        }
        urls.push((header_text(&label_value)?, header_text(&url)?));
    }
    Ok(urls)
}

fn read_extras(project: &Table<'_>) -> Result<BTreeMap<ExtraName, Vec<Requirement>>> {
    let Some(table) = project.table("optional-dependencies")? else {
        return Ok(BTreeMap::new());
    };
    let mut extras = BTreeMap::new();
    for key in table.keys() {
        let field = table.get(key).expect("listed key");
        let extra =
            ExtraName::from_str(key).map_err(|_| field.place.error("not a valid extra name"))?;
        let requirements = field
            .strings()?
            .iter()
            .map(parse_requirement)
            .collect::<Result<Vec<_>>>()?;
        if extras.insert(extra, requirements).is_some() {
            return Err(field
                .place
                .error("this extra is the same as another one once normalized (PEP 685)"));
        }
    }
    Ok(extras)
}

fn read_entry_points(project: &Table<'_>) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut groups = BTreeMap::new();
    for (key, group) in [
        ("scripts", "console_scripts"),
        ("gui-scripts", "gui_scripts"),
    ] {
        if let Some(table) = project.table(key)? {
            groups.insert(group.to_string(), read_entries(&table, true)?);
        }
    }
    if let Some(table) = project.table("entry-points")? {
        for group in table.keys() {
            let field: Field<'_> = table.get(group).expect("listed key");
            if matches!(group, "console_scripts" | "gui_scripts") {
                return Err(field.place.error(format!(
                    "use `[project.{}]` instead of this entry-point group",
                    if group == "console_scripts" {
                        "scripts"
                    } else {
                        "gui-scripts"
                    }
                )));
            }
            let valid_group = !group.is_empty()
                && group
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if !valid_group {
                return Err(field.place.error(
                    "an entry-point group name may hold only letters, digits, `_`, `.` and `-`",
                ));
            }
            groups.insert(group.to_string(), read_entries(&field.table()?, false)?);
        }
    }
    Ok(groups)
}

/// One group's entries: names as the entry points specification allows them (no `=`, no
/// leading `[`, no surrounding blanks, no control character; a script's name is also a
/// file name, so no `/` or `\`), values as object references.
fn read_entries(table: &Table<'_>, scripts: bool) -> Result<BTreeMap<String, String>> {
    let mut entries = BTreeMap::new();
    for name in table.keys() {
        let value = table.string(name)?.expect("listed key");
        let bad_name = name.is_empty()
            || name.contains('=')
            || name.starts_with('[')
            || name.trim() != name
            || name.chars().any(char::is_control)
            || (scripts && name.contains(['/', '\\']));
        if bad_name {
            return Err(value.error(if scripts {
                "a script name must be a file name: no `/`, `\\`, `=`, control character or surrounding blanks"
            } else {
                "an entry point name may not hold `=` or a control character, start with `[`, or start or end with a blank"
            }));
        }
        if !is_object_reference(&value.value) {
            return Err(
                value.error("expected an object reference such as `package.module:function`")
            );
        }
        entries.insert(name.to_string(), value.value);
    }
    Ok(entries)
}

/// The keywords of Python 3, which cannot be a part of an import name.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// `import-names` and `import-namespaces`, in that order.
type ImportNames = (Option<Vec<ImportName>>, Option<Vec<ImportName>>);

/// `import-names` and `import-namespaces`, as PEP 794 wants them: dotted identifiers (no
/// keyword), each optionally marked `; private`; no name twice, in one key or across both;
/// a dotted name's parents listed too.
fn read_import_names(project: &Table<'_>) -> Result<ImportNames> {
    let mut seen: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut read = |key: &'static str| -> Result<Option<Vec<ImportName>>> {
        let Some(values) = project.strings(key)? else {
            return Ok(None);
        };
        let mut names = Vec::new();
        for value in values {
            let name = parse_import_name(&value)?;
            if let Some(other) = seen.insert(name.name.clone(), key) {
                return Err(value.error(match other == key {
                    true => format!("`{}` is listed twice", name.name),
                    false => format!(
                        "`{}` is listed in `{other}` too: a name is either provided or a namespace (PEP 794)",
                        name.name
                    ),
                }));
            }
            names.push(name);
        }
        Ok(Some(names))
    };
    let names = read("import-names")?;
    let namespaces = read("import-namespaces")?;
    for name in names.iter().chain(&namespaces).flatten() {
        let parts: Vec<&str> = name.name.split('.').collect();
        for end in 1..parts.len() {
            let parent = parts[..end].join(".");
            if !seen.contains_key(&parent) {
                return Err(name.place.error(format!(
                    "`{}` is a dotted name, so `{parent}` must be listed too, in `import-namespaces` or `import-names` (PEP 794)",
                    name.name
                )));
            }
        }
    }
    Ok((names, namespaces))
}

/// `name`, `a.b` or `name; private` (blanks allowed around the `;`).
fn parse_import_name(value: &Located<String>) -> Result<ImportName> {
    let (name, private) = match value.value.split_once(';') {
        Some((name, option)) => {
            if option.trim() != "private" {
                return Err(value.error(format!(
                    "`{}` is not an option of an import name: the only one is `private`, as in `name; private`",
                    option.trim()
                )));
            }
            (name.trim_end(), true)
        }
        None => (value.value.as_str(), false),
    };
    for part in name.split('.') {
        if !is_identifier(part) {
            return Err(value.error(format!(
                "`{name}` is not an import name: `{part}` is not a Python identifier"
            )));
        }
        if PYTHON_KEYWORDS.contains(&part) {
            return Err(value.error(format!(
                "`{name}` cannot be imported: `{part}` is a Python keyword"
            )));
        }
    }
    Ok(ImportName {
        name: name.to_string(),
        private,
        place: value.place.clone(),
    })
}

/// `module.path:attr.path`, per the entry points specification.
fn is_object_reference(value: &str) -> bool {
    match value.split_once(':') {
        Some((module, attr)) => is_dotted_name(module.trim()) && is_dotted_name(attr.trim()),
        None => is_dotted_name(value.trim()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::project::toml::TomlFile;

    /// `[project]` of `toml` read in a folder holding `files` and a `pkg/__init__.py` with a
    /// docstring and `__version__ = "2.0.post1"`.
    pub(crate) fn read(toml: &str, files: &[(&str, &str)]) -> Result<Metadata> {
        let dir = crate::project::files::tests::tree(&["pkg/__init__.py"]);
        std::fs::write(
            dir.path().join("pkg/__init__.py"),
            "\"\"\"The docstring.\"\"\"\n__version__ = \"2.0.post1\"\n",
        )
        .unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let file = TomlFile::parse(Path::new("pyproject.toml"), toml.to_string())?;
        let root = file.root();
        let project = root.table("project")?.unwrap();
        let tool = root.table("tool")?;
        let settings = crate::project::settings::Settings::read(tool.as_ref())?;
        Metadata::read(
            &project,
            dir.path(),
            || Some("pkg/__init__.py".into()),
            settings.version.as_ref(),
        )
    }

    #[test]
    fn dynamic_version_and_description_come_from_the_source() {
        let toml = "[project]\nname = \"pkg\"\ndynamic = [\"version\", \"description\"]\n";
        let metadata = read(toml, &[]).unwrap();
        assert_eq!(metadata.version.to_string(), "2.0.post1");
        assert_eq!(metadata.summary.as_deref(), Some("The docstring."));
    }

    #[test]
    fn invalid_values_point_at_their_key() {
        let report: Vec<String> = [
            "version = \"1.0-\"",
            "version = \"1\"\nlicense = \"MIT AND\"",
            "version = \"1\"\ndependencies = [\"req >>> 1\"]",
            "version = \"1\"\nreadme = \"missing.md\"",
            "version = \"1\"\nlicense-files = [\"NOPE*\"]",
            "version = \"1\"\ndynamic = [\"dependencies\"]",
            "version = \"1\"\nscripts = {x = \"not valid!\"}",
            "version = \"1\"\nrequires-python = \">=3.9,,\"",
            "version = \"1\"\nauthor = []",
        ]
        .iter()
        .map(|body| {
            let err = read(&format!("[project]\nname = \"p\"\n{body}\n"), &[])
                .err()
                .unwrap();
            format!("{body}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            version = "1.0-"
            → pyproject.toml:3:11: `project.version`: not a valid PEP 440 version: after parsing `1.0`, found `-`, which is not part of a valid version
              |
            3 | version = "1.0-"
              |           ^^^^^^

            version = "1"
            license = "MIT AND"
            → pyproject.toml:4:11: `project.license`: not a valid SPDX license expression: expected one of `<license>`, `(` here
              |
            4 | license = "MIT AND"
              |           ^^^^^^^^^

            version = "1"
            dependencies = ["req >>> 1"]
            → pyproject.toml:4:17: `project.dependencies[0]`: not a valid PEP 508 requirement: no such comparison operator ">>>", must be one of ~= == != <= >= < > ===
              |
            4 | dependencies = ["req >>> 1"]
              |                 ^^^^^^^^^^^

            version = "1"
            readme = "missing.md"
            → pyproject.toml:4:10: `project.readme`: readme file `missing.md` does not exist
              |
            4 | readme = "missing.md"
              |          ^^^^^^^^^^^^

            version = "1"
            license-files = ["NOPE*"]
            → pyproject.toml:4:18: `project.license-files[0]`: matches no file
              |
            4 | license-files = ["NOPE*"]
              |                  ^^^^^^^

            version = "1"
            dynamic = ["dependencies"]
            → pyproject.toml:4:12: `project.dynamic[0]`: zlig can read only `version` and `description` dynamically, not `dependencies`; give it in `[project]`
              |
            4 | dynamic = ["dependencies"]
              |            ^^^^^^^^^^^^^^

            version = "1"
            scripts = {x = "not valid!"}
            → pyproject.toml:4:16: `project.scripts.x`: expected an object reference such as `package.module:function`
              |
            4 | scripts = {x = "not valid!"}
              |                ^^^^^^^^^^^^

            version = "1"
            requires-python = ">=3.9,,"
            → pyproject.toml:4:19: `project.requires-python`: not a valid PEP 440 version specifier: Failed to parse version: Unexpected end of version specifier, expected operator
              |
            4 | requires-python = ">=3.9,,"
              |                   ^^^^^^^^^

            version = "1"
            author = []
            → pyproject.toml:4:1: `project.author`: unknown key; did you mean `authors`?
              |
            4 | author = []
              | ^^^^^^
            "#);
    }

    #[test]
    fn import_names_are_read_with_their_private_mark() {
        let toml = "[project]\nname = \"p\"\nversion = \"1\"\nimport-names = [\"pkg.fast ;  private\"]\nimport-namespaces = [\"pkg\"]\n";
        let metadata = read(toml, &[]).unwrap();
        let names: Vec<String> = metadata
            .import_names
            .unwrap()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, ["pkg.fast; private"]);
        assert_eq!(metadata.import_namespaces.unwrap()[0].name, "pkg");
        let empty = read(
            "[project]\nname = \"p\"\nversion = \"1\"\nimport-names = []\n",
            &[],
        )
        .unwrap();
        assert!(empty.import_names.is_some_and(|names| names.is_empty()));
        assert!(empty.import_namespaces.is_none());
    }

    #[test]
    fn bad_import_names_point_at_the_entry() {
        let report: Vec<String> = [
            "import-names = [\"pkg\", \"9lives\"]",
            "import-names = [\"pkg.class\"]",
            "import-names = [\"pkg; public\"]",
            "import-names = [\"pkg\", \"pkg\"]",
            "import-names = [\"pkg\"]\nimport-namespaces = [\"pkg\"]",
            "import-names = [\"pkg.sub\"]",
        ]
        .iter()
        .map(|body| {
            let toml = format!("[project]\nname = \"p\"\nversion = \"1\"\n{body}\n");
            format!("{body}\n→ {}", read(&toml, &[]).err().unwrap())
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            import-names = ["pkg", "9lives"]
            → pyproject.toml:4:24: `project.import-names[1]`: `9lives` is not an import name: `9lives` is not a Python identifier
              |
            4 | import-names = ["pkg", "9lives"]
              |                        ^^^^^^^^

            import-names = ["pkg.class"]
            → pyproject.toml:4:17: `project.import-names[0]`: `pkg.class` cannot be imported: `class` is a Python keyword
              |
            4 | import-names = ["pkg.class"]
              |                 ^^^^^^^^^^^

            import-names = ["pkg; public"]
            → pyproject.toml:4:17: `project.import-names[0]`: `public` is not an option of an import name: the only one is `private`, as in `name; private`
              |
            4 | import-names = ["pkg; public"]
              |                 ^^^^^^^^^^^^^

            import-names = ["pkg", "pkg"]
            → pyproject.toml:4:24: `project.import-names[1]`: `pkg` is listed twice
              |
            4 | import-names = ["pkg", "pkg"]
              |                        ^^^^^

            import-names = ["pkg"]
            import-namespaces = ["pkg"]
            → pyproject.toml:5:22: `project.import-namespaces[0]`: `pkg` is listed in `import-names` too: a name is either provided or a namespace (PEP 794)
              |
            5 | import-namespaces = ["pkg"]
              |                      ^^^^^

            import-names = ["pkg.sub"]
            → pyproject.toml:4:17: `project.import-names[0]`: `pkg.sub` is a dotted name, so `pkg` must be listed too, in `import-namespaces` or `import-names` (PEP 794)
              |
            4 | import-names = ["pkg.sub"]
              |                 ^^^^^^^^^
            "#);
    }

    #[test]
    fn a_dynamic_version_is_read_from_a_header_with_the_pattern() {
        let header = ("v.h", "#pragma once\n#define FAST_VERSION \"1.4.2rc1\"\n");
        let table = |pattern: &str| {
            format!(
                "[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.zlig.version]\npath = \"v.h\"\npattern = '{pattern}'\n"
            )
        };
        let metadata = read(&table(r#"^#define FAST_VERSION "(.+)""#), &[header]).unwrap();
        assert_eq!(metadata.version.to_string(), "1.4.2rc1");
        let err = read(&table(r#"^#define SLOW_VERSION "(.+)""#), &[header])
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:6:11: `tool.zlig.version.pattern`: matches nothing in v.h, so there is no version to read
              |
            6 | pattern = '^#define SLOW_VERSION "(.+)"'
              |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
            "#);
        let err = read(&table(r#"#define (FAST_VERSION)"#), &[header])
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(err, @r#"
            v.h:2:9: `FAST_VERSION` (the version `tool.zlig.version.pattern` found) is not a valid PEP 440 version: expected version to start with a number, but no leading ASCII digits were found
              |
            2 | #define FAST_VERSION "1.4.2rc1"
              |         ^^^^^^^^^^^^
            "#);
        let err = read(&table("(x)"), &[]).err().unwrap().to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:5:8: `tool.zlig.version.path`: version file `v.h` does not exist
              |
            5 | path = "v.h"
              |        ^^^^^
            "#);
        let err = read(
            "[project]\nname = \"p\"\nversion = \"1\"\n[tool.zlig.version]\npath = \"v.h\"\n",
            &[header],
        )
        .err()
        .unwrap()
        .to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:4:1: `tool.zlig.version`: says where to read the version, but `project.dynamic` does not list `version`
              |
            4 | [tool.zlig.version]
              | ^^^^^^^^^^^^^^^^^^^
            ");
    }

    #[test]
    fn missing_version_says_how_to_fix_it() {
        let err = read("[project]\nname = \"p\"\n", &[])
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:1:1: `project`: missing required key `version` (give it, or list it in `dynamic` to read `__version__`)
              |
            1 | [project]
              | ^^^^^^^^^
            ");
    }
}
