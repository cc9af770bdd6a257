//! The `[project]` table (PEP 621) and its rendering as Core Metadata 2.4.
//!
//! Validation happens here, once: PEP 440 versions, PEP 508 requirements, SPDX license
//! expressions (PEP 639), names. What is rendered is then known to be valid. Finding the
//! package to read dynamic values from is `discovery`'s job; this module only asks for it.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/core-metadata/>

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

use super::files::{Pattern, slash_path};
use super::toml::{Field, Located, Table};
use crate::error::{Error, IoContext, Result};

/// The core metadata of the distribution.
#[derive(Debug, Clone, PartialEq)]
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

/// Values that `[project] dynamic` may ask zlig to find in the package source.
pub struct DynamicSource {
    /// The file to read `__version__` and the docstring from.
    pub file: PathBuf,
    pub text: String,
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
    "dynamic",
];

/// Files matched by default when `license-files` is not given (PEP 639's suggestion).
const DEFAULT_LICENSE_FILES: &[&str] = &["LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*"];

impl Metadata {
    /// Reads and validates `[project]`. `dynamic_source` is asked for only when `dynamic`
    /// lists `version` or `description`.
    pub fn read(
        project: &Table<'_>,
        root: &Path,
        dynamic_source: impl FnOnce() -> Result<DynamicSource>,
    ) -> Result<Self> {
        project.reject_unknown(PROJECT_KEYS)?;
        let name = project
            .string("name")?
            .ok_or_else(|| project.place.error("missing required key `name`"))?;
        let normalized = check_name(&name)?;

        let dynamic = read_dynamic(project)?;
        let source = if dynamic.is_empty() {
            None
        } else {
            Some(dynamic_source()?)
        };

        let version = match (project.string("version")?, dynamic.contains(&"version")) {
            (Some(v), false) => parse_version(&v)?,
            (None, true) => {
                let source = source.as_ref().expect("read when dynamic is not empty");
                let text = super::dynamic::version(&source.text).ok_or_else(|| {
                    Error::Usage(format!(
                        "`version` is dynamic, but {} has no `__version__ = \"...\"` string assignment",
                        source.file.display()
                    ))
                })?;
                Version::from_str(&text).map_err(|err| {
                    Error::Usage(format!(
                        "`__version__` in {} is not a valid PEP 440 version: {err}",
                        source.file.display()
                    ))
                })?
            }
            (Some(v), true) => {
                return Err(v.error("`version` is listed in `dynamic` and also given"));
            }
            (None, false) => {
                return Err(project.place.error(
                    "missing required key `version` (give it, or list it in `dynamic` to read `__version__`)",
                ));
            }
        };

        let summary = match (
            project.string("description")?,
            dynamic.contains(&"description"),
        ) {
            (Some(d), false) => Some(single_line(&d)?),
            (None, true) => {
                let source = source.as_ref().expect("read when dynamic is not empty");
                let doc = super::dynamic::docstring(&source.text)
                    .as_deref()
                    .and_then(super::dynamic::summary)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "`description` is dynamic, but {} has no module docstring",
                            source.file.display()
                        ))
                    })?;
                Some(doc)
            }
            (Some(d), true) => {
                return Err(d.error("`description` is listed in `dynamic` and also given"));
            }
            (None, false) => None,
        };

        let (license, mut license_files) = read_license(project, root)?;
        license_files.extend(read_license_files(project, root)?);
        license_files.sort();
        license_files.dedup();

        Ok(Self {
            name: name.value.clone(),
            normalized,
            version,
            summary,
            readme: read_readme(project, root)?,
            requires_python: project
                .string("requires-python")?
                .map(|r| {
                    VersionSpecifiers::from_str(&r.value).map_err(|err| {
                        // The parser repeats the input with a pointer under it; the place
                        // shown with the message does that already.
                        let message = err.to_string();
                        let first = message.lines().next().unwrap_or_default();
                        r.error(format!(
                            "not a valid PEP 440 version specifier: {}",
                            first.trim_end_matches(':')
                        ))
                    })
                })
                .transpose()?,
            license,
            license_files,
            authors: read_people(project, "authors")?,
            maintainers: read_people(project, "maintainers")?,
            keywords: plain_strings(project.strings("keywords")?),
            classifiers: plain_strings(project.strings("classifiers")?),
            urls: read_string_table(project, "urls")?,
            dependencies: project
                .strings("dependencies")?
                .unwrap_or_default()
                .iter()
                .map(parse_requirement)
                .collect::<Result<_>>()?,
            optional_dependencies: read_extras(project)?,
            entry_points: read_entry_points(project)?,
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

    /// The METADATA / PKG-INFO text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut field = |key: &str, value: &str| {
            let _ = writeln!(out, "{key}: {value}");
        };
        field("Metadata-Version", "2.4");
        field("Name", &self.name);
        field("Version", &self.version.to_string());
        if let Some(summary) = &self.summary {
            field("Summary", summary);
        }
        if !self.keywords.is_empty() {
            field("Keywords", &self.keywords.join(","));
        }
        for (role, people) in [("Author", &self.authors), ("Maintainer", &self.maintainers)] {
            let names: Vec<&str> = people
                .iter()
                .filter(|p| p.email.is_none())
                .filter_map(|p| p.name.as_deref())
                .collect();
            if !names.is_empty() {
                field(role, &names.join(", "));
            }
            let emails: Vec<String> = people.iter().filter_map(Person::address).collect();
            if !emails.is_empty() {
                field(&format!("{role}-email"), &emails.join(", "));
            }
        }
        match &self.license {
            Some(License::Expression(expr)) => field("License-Expression", expr),
            Some(License::Text(text)) => field("License", &text.replace('\n', "\n       ")),
            None => {}
        }
        for file in &self.license_files {
            field("License-File", &slash_path(file));
        }
        for classifier in &self.classifiers {
            field("Classifier", classifier);
        }
        if let Some(requires) = &self.requires_python {
            field("Requires-Python", &requires.to_string());
        }
        for requirement in &self.dependencies {
            field("Requires-Dist", &requirement.to_string());
        }
        for (extra, requirements) in &self.optional_dependencies {
            field("Provides-Extra", extra.as_ref());
            for requirement in requirements {
                field(
                    "Requires-Dist",
                    &requirement.clone().with_extra_marker(extra).to_string(),
                );
            }
        }
        for (label, url) in &self.urls {
            field("Project-URL", &format!("{label}, {url}"));
        }
        if let Some(readme) = &self.readme {
            field("Description-Content-Type", &readme.content_type);
            out.push('\n');
            out.push_str(&readme.text);
        }
        out
    }

    /// The `entry_points.txt` text, if there are entry points.
    pub fn render_entry_points(&self) -> Option<String> {
        if self.entry_points.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (group, entries) in &self.entry_points {
            let _ = writeln!(out, "[{group}]");
            for (name, value) in entries {
                let _ = writeln!(out, "{name} = {value}");
            }
            out.push('\n');
        }
        Some(out)
    }
}

impl Person {
    /// `Name <email>` or `email`, for the `*-email` fields.
    fn address(&self) -> Option<String> {
        let email = self.email.as_deref()?;
        Some(match &self.name {
            Some(name) if name.contains([',', '"', '<', '>', '@']) => {
                format!("\"{}\" <{email}>", name.replace('"', "\\\""))
            }
            Some(name) => format!("{name} <{email}>"),
            None => email.to_string(),
        })
    }
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

fn single_line(value: &Located<String>) -> Result<String> {
    if value.value.contains('\n') {
        return Err(value.error("must be a single line (put longer text in `readme`)"));
    }
    Ok(value.value.clone())
}

fn plain_strings(values: Option<Vec<Located<String>>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect()
}

fn parse_requirement(value: &Located<String>) -> Result<Requirement> {
    Requirement::from_str(&value.value)
        .map_err(|err| value.error(format!("not a valid PEP 508 requirement: {}", err.message)))
}

fn read_dynamic(project: &Table<'_>) -> Result<Vec<&'static str>> {
    let mut dynamic = Vec::new();
    for entry in project.strings("dynamic")?.unwrap_or_default() {
        match entry.value.as_str() {
            "version" => dynamic.push("version"),
            "description" => dynamic.push("description"),
            other => {
                return Err(entry.error(format!(
                    "zlig can read only `version` and `description` dynamically, not `{other}`; give it in `[project]`"
                )));
            }
        }
    }
    Ok(dynamic)
}

fn read_file(root: &Path, relative: &Located<String>, what: &str) -> Result<(PathBuf, String)> {
    let pattern_ok = Pattern::new(&relative.value).map_err(|err| relative.error(err))?;
    let path = PathBuf::from(pattern_ok.as_str());
    let full = root.join(&path);
    if !full.is_file() {
        return Err(relative.error(format!("{what} file `{}` does not exist", relative.value)));
    }
    super::files::check_inside(root, &path).map_err(|why| relative.error(why))?;
    let text = std::fs::read_to_string(&full)
        .context(|| format!("reading {what} file {}", full.display()))?;
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
        let (path, text) = read_file(root, &file, "readme")?;
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
            let (path, text) = read_file(root, &file, "readme")?;
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
            ct.value
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
            let (path, _) = read_file(root, &file, "license")?;
            Ok((None, vec![path]))
        }
        (None, Some(text)) => Ok((Some(License::Text(text.value)), Vec::new())),
        _ => Err(table
            .place
            .error("expected exactly one of `file` and `text`")),
    }
}

fn read_license_files(project: &Table<'_>, root: &Path) -> Result<Vec<PathBuf>> {
    let Some(globs) = project.strings("license-files")? else {
        return Ok(DEFAULT_LICENSE_FILES
            .iter()
            .flat_map(|glob| {
                Pattern::new(glob)
                    .expect("valid built-in glob")
                    .files_inside(root)
            })
            .collect());
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
            let name = person.string("name")?.map(|n| n.value);
            let email = person.string("email")?.map(|e| e.value);
            if name.is_none() && email.is_none() {
                return Err(person.place.error("expected `name`, `email` or both"));
            }
            Ok(Person { name, email })
        })
        .collect()
}

fn read_string_table(project: &Table<'_>, key: &str) -> Result<Vec<(String, String)>> {
    let Some(table) = project.table(key)? else {
        return Ok(Vec::new());
    };
    table
        .keys()
        .into_iter()
        .map(|k| Ok((k.to_string(), table.string(k)?.expect("listed key").value)))
        .collect()
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
            groups.insert(group.to_string(), read_entries(&table)?);
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
            groups.insert(group.to_string(), read_entries(&field.table()?)?);
        }
    }
    Ok(groups)
}

fn read_entries(table: &Table<'_>) -> Result<BTreeMap<String, String>> {
    let mut entries = BTreeMap::new();
    for name in table.keys() {
        let value = table.string(name)?.expect("listed key");
        if !is_object_reference(&value.value) {
            return Err(
                value.error("expected an object reference such as `package.module:function`")
            );
        }
        entries.insert(name.to_string(), value.value);
    }
    Ok(entries)
}

/// `module.path:attr.path`, per the entry points specification.
fn is_object_reference(value: &str) -> bool {
    let is_dotted = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    match value.split_once(':') {
        Some((module, attr)) => is_dotted(module.trim()) && is_dotted(attr.trim()),
        None => is_dotted(value.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::toml::TomlFile;

    fn read(toml: &str, files: &[(&str, &str)]) -> Result<Metadata> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let file = TomlFile::parse(Path::new("pyproject.toml"), toml.to_string())?;
        let root = file.root();
        let project = root.table("project")?.unwrap();
        Metadata::read(&project, dir.path(), || {
            Ok(DynamicSource {
                file: "pkg/__init__.py".into(),
                text: "\"\"\"The docstring.\"\"\"\n__version__ = \"2.0.post1\"\n".into(),
            })
        })
    }

    #[test]
    fn renders_every_field_in_core_metadata_order() {
        let toml = r#"
[project]
name = "Demo.Project"
version = "1.0"
description = "A demo."
readme = "README.md"
requires-python = ">=3.9"
license = "MIT OR Apache-2.0"
authors = [{name = "Ann"}, {name = "Bo, Jr", email = "bo@x.org"}, {email = "c@x.org"}]
maintainers = [{name = "Dee", email = "d@x.org"}]
keywords = ["a", "b"]
classifiers = ["Programming Language :: C"]
urls = {Homepage = "https://x.org"}
dependencies = ["requests>=2; python_version<'3.12'"]
optional-dependencies = {Test_Suite = ["pytest", "cov; os_name == 'nt'"]}
scripts = {demo = "demo.cli:main"}
entry-points = {"demo.plugins" = {a = "demo.a"}}
"#;
        let metadata = read(toml, &[("README.md", "# Demo\n"), ("LICENSE", "MIT")]).unwrap();
        assert_eq!(metadata.dist_stem(), "demo_project-1.0");
        assert_eq!(
            metadata.render(),
            "Metadata-Version: 2.4
Name: Demo.Project
Version: 1.0
Summary: A demo.
Keywords: a,b
Author: Ann
Author-email: \"Bo, Jr\" <bo@x.org>, c@x.org
Maintainer-email: Dee <d@x.org>
License-Expression: MIT OR Apache-2.0
License-File: LICENSE
Classifier: Programming Language :: C
Requires-Python: >=3.9
Requires-Dist: requests>=2 ; python_full_version < '3.12'
Provides-Extra: test-suite
Requires-Dist: pytest ; extra == 'test-suite'
Requires-Dist: cov ; os_name == 'nt' and extra == 'test-suite'
Project-URL: Homepage, https://x.org
Description-Content-Type: text/markdown

# Demo
"
        );
        assert_eq!(
            metadata.render_entry_points().unwrap(),
            "[console_scripts]\ndemo = demo.cli:main\n\n[demo.plugins]\na = demo.a\n\n"
        );
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
        let cases = [
            (
                "version = \"1.0-\"",
                "`project.version`: not a valid PEP 440 version",
            ),
            (
                "version = \"1\"\nlicense = \"MIT AND\"",
                "`project.license`: not a valid SPDX license expression",
            ),
            (
                "version = \"1\"\ndependencies = [\"req >>> 1\"]",
                "`project.dependencies[0]`: not a valid PEP 508 requirement",
            ),
            (
                "version = \"1\"\nreadme = \"missing.md\"",
                "`project.readme`: readme file `missing.md` does not exist",
            ),
            (
                "version = \"1\"\nlicense-files = [\"NOPE*\"]",
                "`project.license-files[0]`: matches no file",
            ),
            (
                "version = \"1\"\ndynamic = [\"dependencies\"]",
                "`project.dynamic[0]`: zlig can read only",
            ),
            (
                "version = \"1\"\nscripts = {x = \"not valid!\"}",
                "`project.scripts.x`: expected an object reference",
            ),
            (
                "version = \"1\"\nrequires-python = \">=3.9,,\"",
                "`project.requires-python`: not a valid PEP 440 version specifier: Failed to parse version: Unexpected end of version specifier, expected operator\n",
            ),
            (
                "version = \"1\"\nauthor = []",
                "`project.author`: unknown key; did you mean `authors`?",
            ),
        ];
        for (body, expected) in cases {
            let err = read(&format!("[project]\nname = \"p\"\n{body}\n"), &[])
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{body}\n→ {err}");
        }
    }

    #[test]
    fn missing_version_says_how_to_fix_it() {
        let err = read("[project]\nname = \"p\"\n", &[])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("missing required key `version`"), "{err}");
    }
}
