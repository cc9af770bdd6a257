//! Core Metadata (`METADATA`, `PKG-INFO`) and `entry_points.txt`, rendered from the
//! validated `[project]`.
//!
//! Every value was checked when it was read (`project::metadata`): none holds a line break
//! that would start a field of its own. Fields are written in the specification's order.
//!
//! Specs: <https://packaging.python.org/en/latest/specifications/core-metadata/>,
//! <https://packaging.python.org/en/latest/specifications/entry-points/>

use std::fmt::Write as _;

use crate::project::files::slash_path;
use crate::project::metadata::{License, Metadata, Person};

/// The METADATA / PKG-INFO text of `metadata`.
pub fn render(metadata: &Metadata) -> String {
    let mut out = String::new();
    let mut field = |key: &str, value: &str| {
        let _ = writeln!(out, "{key}: {value}");
    };
    // 2.5 only when a 2.5 field is there, so that tools that know 2.4 read the rest.
    let uses_2_5 = metadata.import_names.is_some() || metadata.import_namespaces.is_some();
    field("Metadata-Version", if uses_2_5 { "2.5" } else { "2.4" });
    field("Name", &metadata.name);
    field("Version", &metadata.version.to_string());
    if let Some(summary) = &metadata.summary {
        field("Summary", summary);
    }
    if !metadata.keywords.is_empty() {
        field("Keywords", &metadata.keywords.join(","));
    }
    for (role, people) in [
        ("Author", &metadata.authors),
        ("Maintainer", &metadata.maintainers),
    ] {
        let names: Vec<&str> = people
            .iter()
            .filter(|p| p.email.is_none())
            .filter_map(|p| p.name.as_deref())
            .collect();
        if !names.is_empty() {
            field(role, &names.join(", "));
        }
        let emails: Vec<String> = people.iter().filter_map(address).collect();
        if !emails.is_empty() {
            field(&format!("{role}-email"), &emails.join(", "));
        }
    }
    match &metadata.license {
        Some(License::Expression(expr)) => field("License-Expression", expr),
        Some(License::Text(text)) => field("License", &text.replace('\n', "\n       ")),
        None => {}
    }
    for file in &metadata.license_files {
        field("License-File", &slash_path(file));
    }
    for classifier in &metadata.classifiers {
        field("Classifier", classifier);
    }
    if let Some(requires) = &metadata.requires_python {
        field("Requires-Python", &requires.to_string());
    }
    for requirement in &metadata.dependencies {
        field("Requires-Dist", &requirement.to_string());
    }
    for (extra, requirements) in &metadata.optional_dependencies {
        field("Provides-Extra", extra.as_ref());
        for requirement in requirements {
            field(
                "Requires-Dist",
                &requirement.clone().with_extra_marker(extra).to_string(),
            );
        }
    }
    for (label, url) in &metadata.urls {
        field("Project-URL", &format!("{label}, {url}"));
    }
    match metadata.import_names.as_deref() {
        // An empty list says the project provides nothing to import (PEP 794).
        Some([]) => field("Import-Name", ""),
        Some(names) => names
            .iter()
            .for_each(|name| field("Import-Name", &name.to_string())),
        None => {}
    }
    for name in metadata.import_namespaces.iter().flatten() {
        field("Import-Namespace", &name.to_string());
    }
    if let Some(readme) = &metadata.readme {
        field("Description-Content-Type", &readme.content_type);
        out.push('\n');
        out.push_str(&readme.text);
    }
    out
}

/// The `entry_points.txt` text, if there are entry points.
pub fn entry_points(metadata: &Metadata) -> Option<String> {
    if metadata.entry_points.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (group, entries) in &metadata.entry_points {
        let _ = writeln!(out, "[{group}]");
        for (name, value) in entries {
            let _ = writeln!(out, "{name} = {value}");
        }
        out.push('\n');
    }
    Some(out)
}

/// `Name <email>` or `email`, for the `*-email` fields.
fn address(person: &Person) -> Option<String> {
    let email = person.email.as_deref()?;
    Some(match &person.name {
        Some(name) if name.contains([',', '"', '<', '>', '@']) => {
            format!("\"{}\" <{email}>", name.replace('"', "\\\""))
        }
        Some(name) => format!("{name} <{email}>"),
        None => email.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::metadata::tests::read;

    #[test]
    fn import_names_make_it_metadata_2_5() {
        let toml = "[project]\nname = \"p\"\nversion = \"1\"\nimport-names = [\"pkg.fast; private\"]\nimport-namespaces = [\"pkg\"]\n";
        let text = render(&read(toml, &[]).unwrap());
        assert_eq!(
            text,
            "Metadata-Version: 2.5\nName: p\nVersion: 1\nImport-Name: pkg.fast; private\nImport-Namespace: pkg\n"
        );
        let empty = "[project]\nname = \"p\"\nversion = \"1\"\nimport-names = []\n";
        assert!(render(&read(empty, &[]).unwrap()).ends_with("Import-Name: \n"));
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
            render(&metadata),
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
            entry_points(&metadata).unwrap(),
            "[console_scripts]\ndemo = demo.cli:main\n\n[demo.plugins]\na = demo.a\n\n"
        );
    }
}
