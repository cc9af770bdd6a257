//! What the unit tests across the crate share: messages that name a temporary folder made
//! for a test, turned into text a snapshot can hold.

/// `text` with each folder `tempfile` made in the system's temporary folder named `[TMP]`.
pub fn scrubbed(text: &str) -> String {
    let temp = regex::escape(&std::env::temp_dir().to_string_lossy());
    regex::Regex::new(&format!(r"{temp}/\.tmp\w+"))
        .expect("a valid pattern")
        .replace_all(text, "[TMP]")
        .into_owned()
}
