//! What the core asks the interpreter running the hooks, in that very process (Python
//! build only): the include folder a package's `get_include()` names, which only an
//! import in the build environment can tell (`compile::packages`). Third-party backends
//! are the other such question (`plugin.rs`).

use std::path::PathBuf;

use pyo3::exceptions::PyModuleNotFoundError;
use pyo3::prelude::*;

use crate::compile::packages::LookupError;

/// `package.attr()`, called by `zlig._bridge.package_include`.
pub fn package_include(package: &str, attr: &str) -> Result<PathBuf, LookupError> {
    Python::attach(|py| {
        let called = py
            .import("zlig._bridge")
            .and_then(|bridge| bridge.call_method1("package_include", (package, attr)));
        match called.and_then(|value| value.extract::<PathBuf>()) {
            Ok(folder) => Ok(folder),
            Err(err) => {
                let message = err.value(py).to_string();
                // zlig's own explanation, and the key at fault (`_bridge.IncludeDirError`).
                let key: Option<String> = err
                    .value(py)
                    .getattr("key")
                    .ok()
                    .and_then(|k| k.extract().ok());
                if let Some(key) = key {
                    return Err(LookupError::Wrong {
                        at_package: key == "package",
                        message,
                    });
                }
                // Missing is the package itself (or a parent), not something it imports.
                let missing: Option<String> = err
                    .is_instance_of::<PyModuleNotFoundError>(py)
                    .then(|| err.value(py).getattr("name").ok()?.extract().ok())
                    .flatten();
                match missing {
                    Some(name) if package == name || package.starts_with(&format!("{name}.")) => {
                        Err(LookupError::NotImportable(message))
                    }
                    _ => {
                        let kind = err
                            .get_type(py)
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default();
                        Err(LookupError::Failed(format!("{kind}: {message}")))
                    }
                }
            }
        }
    })
}
