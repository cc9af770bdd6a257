//! The reference made from the settings model: the README's tables of keys and the JSON
//! schema of `[tool.zlig]` that the zlig package ships (`python/zlig/resources/schema.json`,
//! for validate-pyproject and editors).
//!
//! Both are committed files; the tests here fail when one differs from what the model gives,
//! and `UPDATE_REFERENCE=1 cargo test` writes them again (review the diff). Test-only: the
//! library reads the model, never these texts.

use serde_json::{Map, Value, json};

use super::key::{DefaultValue, Env, Key, Kind};
use super::model::{EXTENSION_KEYS, KEYS, LIST_KEYS, PACKAGE_KEYS, WHEN_KEYS};

/// Where the schema says it is from; validate-pyproject files schemas by `$id`.
const SCHEMA_ID: &str = "https://zlig.invalid/tool.zlig.schema.json";

/// The README's sections that the model writes, by name.
fn readme_sections() -> [(&'static str, String); 3] {
    [
        ("settings", settings_table()),
        ("extension keys", keys_table(EXTENSION_KEYS)),
        ("extension list keys", keys_table(LIST_KEYS)),
    ]
}

/// `[tool.zlig]`'s keys and the config settings: one table, with where each is set.
fn settings_table() -> String {
    let mut table =
        String::from("| key | meaning | default | set in |\n| --- | --- | --- | --- |\n");
    for key in KEYS {
        let mut set_in = Vec::new();
        if key.set_in.file {
            set_in.push("pyproject.toml".to_string());
        }
        if key.set_in.command_line {
            set_in.push("`-C`".to_string());
        }
        match key.set_in.env {
            Some(Env::SwitchesOff(var)) => set_in.push(format!("`{var}=0`")),
            Some(Env::AtImport(var)) => set_in.push(format!("`{var}=0` at import")),
            None => {}
        }
        let default = match key.default {
            DefaultValue::None => "none".to_string(),
            DefaultValue::Value(value) => format!("`{value}`"),
            DefaultValue::Derived(text) => text.to_string(),
        };
        table.push_str(&format!(
            "| `{}` | {} | {default} | {} |\n",
            key.name,
            meaning(key),
            set_in.join(", ")
        ));
    }
    table
}

/// A table of keys and their meaning.
fn keys_table<T>(keys: &[Key<T>]) -> String {
    let mut table = String::from("| key | meaning |\n| --- | --- |\n");
    for key in keys {
        table.push_str(&format!("| `{}` | {} |\n", key.name, meaning(key)));
    }
    table
}

/// What a key means, in Markdown: its doc line, with the words it takes and whether it is
/// required.
fn meaning<T>(key: &Key<T>) -> String {
    let mut text = match key.kind {
        Kind::Word(words) if key.doc.is_empty() => choices(words),
        Kind::Word(words) => format!("{}; {}", choices(words), key.doc),
        Kind::Map {
            keys: Some(names), ..
        } => format!("{}: {}", key.doc, choices(names)),
        _ => key.doc.to_string(),
    };
    match key.name.rsplit_once('.') {
        _ if key.required.is_none() => {}
        Some((table, _)) => text.push_str(&format!(" (required in `[tool.zlig.{table}]`)")),
        None => text.push_str(" (required)"),
    }
    text
}

/// `` `a`, `b` or `c` ``.
fn choices(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The JSON schema (draft-07, as validate-pyproject takes it) of `[tool.zlig]`.
fn schema() -> Value {
    let mut fields = object_fields(KEYS.iter().filter(|k| k.set_in.file).map(property));
    let mut top = Map::new();
    top.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    top.insert("$id".into(), json!(SCHEMA_ID));
    top.insert("title".into(), json!("`tool.zlig` table"));
    top.insert(
        "description".into(),
        json!(
            "zlig's build settings: a PEP 517 build backend for C, C++, Cython and Zig extension modules, compiled with zig (see zlig's README, \"Configuration\")"
        ),
    );
    top.append(&mut fields);
    Value::Object(top)
}

/// One key of an object schema: its name, whether it is required, its schema.
struct Property {
    name: &'static str,
    required: bool,
    schema: Value,
}

fn property<T>(key: &Key<T>) -> Property {
    let mut schema = kind_schema(key.kind);
    schema["description"] = json!(plain(&meaning(key)));
    if let DefaultValue::Value(value) = key.default {
        schema["default"] = match key.kind {
            Kind::Bool => json!(value == "true"),
            _ => json!(value),
        };
    }
    Property {
        name: key.name,
        required: key.required.is_some(),
        schema,
    }
}

/// An object with exactly `properties`; a dotted name is a property of a nested object.
fn object(properties: impl IntoIterator<Item = Property>) -> Value {
    Value::Object(object_fields(properties))
}

/// The fields of `object`'s schema.
fn object_fields(properties: impl IntoIterator<Item = Property>) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut required = Vec::new();
    let mut groups: Vec<(&str, Vec<Property>)> = Vec::new();
    for property in properties {
        if let Some((group, rest)) = property.name.split_once('.') {
            let inner = Property {
                name: rest,
                ..property
            };
            match groups.iter_mut().find(|(name, _)| *name == group) {
                Some((_, members)) => members.push(inner),
                None => groups.push((group, vec![inner])),
            }
            continue;
        }
        if property.required {
            required.push(property.name);
        }
        fields.insert(property.name.to_string(), property.schema);
    }
    for (group, members) in groups {
        fields.insert(group.to_string(), object(members));
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("additionalProperties".into(), json!(false));
    schema.insert("properties".into(), Value::Object(fields));
    if !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    schema
}

/// The schema of a kind of value, without its description.
fn kind_schema(kind: Kind) -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    match kind {
        Kind::String => json!({ "type": "string" }),
        Kind::Word(words) => json!({ "type": "string", "enum": words }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Strings => strings,
        Kind::Map { keys: None, .. } => {
            json!({ "type": "object", "additionalProperties": { "type": "string" } })
        }
        Kind::Map {
            keys: Some(names), ..
        } => {
            let properties: Map<String, Value> = names
                .iter()
                .map(|name| (name.to_string(), json!({ "type": "string" })))
                .collect();
            json!({ "type": "object", "additionalProperties": false, "properties": properties })
        }
        Kind::Scalars { .. } => json!({
            "type": "object",
            "additionalProperties": { "type": ["boolean", "integer", "string"] },
        }),
        Kind::Extensions => {
            let keys = EXTENSION_KEYS.iter().map(property);
            json!({ "type": "array", "items": object(keys.chain(LIST_KEYS.iter().map(property))) })
        }
        Kind::When => {
            // A `when` entry adds to the lists: none of them is required there.
            let lists = LIST_KEYS.iter().map(|key| Property {
                required: false,
                ..property(key)
            });
            json!({ "type": "array", "items": object(WHEN_KEYS.iter().map(property).chain(lists)) })
        }
        Kind::IncludeDirs => json!({
            "type": "array",
            "items": { "oneOf": [{ "type": "string" }, object(PACKAGE_KEYS.iter().map(property))] },
        }),
        Kind::ExportSymbols => json!({
            "oneOf": [{ "type": "string", "enum": ["all"] }, strings],
        }),
    }
}

/// Markdown made plain for a schema's `description`: links become their text, and a
/// table's escaped `|` a bar.
fn plain(markdown: &str) -> String {
    let link = regex::Regex::new(r"\[([^\]]+)\]\([^)]+\)").expect("a valid pattern");
    link.replace_all(markdown, "$1").replace("\\|", "|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn repo_file(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }

    /// Whether the committed files are to be written again rather than checked.
    fn updating() -> bool {
        std::env::var_os("UPDATE_REFERENCE").is_some()
    }

    fn stale(file: &str) -> String {
        format!(
            "{file} differs from what the settings model (src/project/settings/model.rs) gives: run `UPDATE_REFERENCE=1 cargo test` and review the diff"
        )
    }

    #[test]
    fn the_readme_tables_of_keys_are_the_models() {
        let path = repo_file("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let mut updated = readme.clone();
        for (name, table) in readme_sections() {
            let begin = format!(
                "<!-- begin {name}: generated from src/project/settings/model.rs by `UPDATE_REFERENCE=1 cargo test` -->\n"
            );
            let end = format!("<!-- end {name} -->");
            let start = updated
                .find(&begin)
                .unwrap_or_else(|| panic!("README.md has no line {begin:?}"))
                + begin.len();
            let stop = start
                + updated[start..]
                    .find(&end)
                    .unwrap_or_else(|| panic!("README.md has no line {end:?}"));
            updated.replace_range(start..stop, &table);
        }
        if updating() {
            std::fs::write(&path, &updated).unwrap();
        } else {
            assert!(readme == updated, "{}", stale("README.md"));
        }
    }

    #[test]
    fn the_shipped_schema_is_the_models() {
        let path = repo_file("python/zlig/resources/schema.json");
        let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
        if updating() {
            std::fs::write(&path, &generated).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == generated,
                "{}",
                stale("python/zlig/resources/schema.json")
            );
        }
    }

    #[test]
    fn a_word_key_lists_its_words_and_links_are_plain_in_the_schema() {
        let optimize = KEYS.iter().find(|k| k.name == "optimize").unwrap();
        assert_eq!(
            meaning(optimize),
            "`Debug`, `ReleaseSafe`, `ReleaseFast` or `ReleaseSmall`"
        );
        let schema = schema();
        assert_eq!(
            schema["properties"]["optimize"]["enum"],
            json!(["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"])
        );
        assert_eq!(
            schema["properties"]["backend"]["description"],
            json!("compile backend: `ninja`, `zig`, `cc` or a third-party one (see Backends)")
        );
        // Config settings only: not in the file's schema.
        assert!(schema["properties"].get("verbose").is_none());
        assert_eq!(schema["properties"]["version"]["required"], json!(["path"]));
        let extension = &schema["properties"]["extensions"]["items"];
        assert_eq!(extension["required"], json!(["name", "sources"]));
        assert!(extension["properties"]["when"]["items"]["required"] == json!(["marker"]));
    }
}
