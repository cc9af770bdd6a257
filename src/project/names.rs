//! The names users give: Python identifiers and dotted module names, checked the same way
//! for packages, extension modules and entry points.

/// A Python identifier: a letter or `_`, then letters, digits or `_` (Unicode letters
/// included, as Python allows).
pub fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Identifiers joined by `.`, such as `pkg._speedups`.
pub fn is_dotted_name(name: &str) -> bool {
    name.split('.').all(is_identifier)
}

/// The import name for a project name: `My-Project` → `my_project`.
pub fn import_name(project_name: &str) -> String {
    project_name.to_ascii_lowercase().replace(['-', '.'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_dotted_names() {
        assert!(is_identifier("_speedups") && is_identifier("café"));
        assert!(!is_identifier("1x") && !is_identifier("a-b") && !is_identifier(""));
        assert!(is_dotted_name("pkg.sub._fast"));
        assert!(!is_dotted_name("pkg..x") && !is_dotted_name(".pkg"));
        assert_eq!(import_name("My-Pkg.x"), "my_pkg_x");
    }
}
