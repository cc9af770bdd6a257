//! zlig's core, and the thin pyo3 surface the Python hooks call.
//!
//! The path of a build (ARCHITECTURE.md): `project` (pyproject → Project) → `target` →
//! `compile` (graph, snapshot, backends) → `audit` → `distribution` (contents and writers).
//! `hooks` strings them together with plain values; this file only converts Python values
//! and errors.

pub mod audit;
pub mod compile;
pub mod distribution;
pub mod error;
pub mod hooks;
#[cfg(feature = "python")]
mod host;
pub mod interrupt;
pub mod leftovers;
#[cfg(feature = "python")]
mod plugin;
pub mod project;
pub mod tags;
pub mod target;
#[cfg(test)]
mod test_support;
pub mod trust;

#[cfg(feature = "python")]
mod python {
    use super::{compile, error, hooks, host, interrupt, plugin};
    use std::path::Path;

    use pyo3::create_exception;
    use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
    use pyo3::prelude::*;

    create_exception!(
        _core,
        BuildError,
        PyException,
        "A build failed; the message is for the user."
    );

    /// Reads the request (a dict), runs `hook`, and turns errors and panics into `BuildError`
    /// (an interruption into `KeyboardInterrupt`).
    fn run<T>(
        request: &Bound<'_, PyAny>,
        hook: impl FnOnce(&hooks::Request) -> error::Result<T>,
    ) -> PyResult<T> {
        let mut request: hooks::Request = pythonize::depythonize(request).map_err(|err| {
            BuildError::new_err(format!("internal error: bad request from the hooks: {err}"))
        })?;
        request.plugins = Some(plugin::load);
        request.include_lookup = Some(host::package_include);
        interrupt::set_python_check(|| Python::attach(|py| py.check_signals().is_err()));
        let _signals = interrupt::Hook::enter();
        // Lets go of zlig's cache when the hook returns, so that `zlig cache --clear` can run.
        let _cache = compile::tool_home::CacheUse::begin();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&request))) {
            Ok(Ok(value)) => {
                // A Ctrl-C after the output is in place comes too late to undo it.
                let _ = Python::attach(|py| py.check_signals());
                Ok(value)
            }
            Ok(Err(error::Error::Interrupted)) => Err(PyKeyboardInterrupt::new_err(())),
            Ok(Err(err)) => {
                // A Ctrl-C that made a tool fail is the user's doing, not a build error.
                Python::attach(|py| py.check_signals())?;
                Err(BuildError::new_err(err.to_string()))
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown panic");
                Err(BuildError::new_err(format!(
                    "internal error (a bug in zlig, please report it): {what}"
                )))
            }
        }
    }

    #[pyfunction]
    fn get_requires_for_build_wheel(request: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        run(request, hooks::requires_for_build_wheel)
    }

    /// A hook that writes a wheel (`build_wheel`, `build_editable`).
    fn wheel(
        kind: hooks::WheelKind,
        request: &Bound<'_, PyAny>,
        wheel_directory: &str,
        metadata_directory: Option<&str>,
    ) -> PyResult<String> {
        run(request, |r| {
            let metadata = metadata_directory.map(Path::new);
            hooks::build_wheel(r, Path::new(wheel_directory), metadata, kind)
        })
    }

    #[pyfunction]
    #[pyo3(signature = (request, wheel_directory, metadata_directory=None))]
    fn build_wheel(
        request: &Bound<'_, PyAny>,
        wheel_directory: &str,
        metadata_directory: Option<&str>,
    ) -> PyResult<String> {
        wheel(
            hooks::WheelKind::Regular,
            request,
            wheel_directory,
            metadata_directory,
        )
    }

    #[pyfunction]
    #[pyo3(signature = (request, wheel_directory, metadata_directory=None))]
    fn build_editable(
        request: &Bound<'_, PyAny>,
        wheel_directory: &str,
        metadata_directory: Option<&str>,
    ) -> PyResult<String> {
        wheel(
            hooks::WheelKind::Editable,
            request,
            wheel_directory,
            metadata_directory,
        )
    }

    #[pyfunction]
    fn build_sdist(request: &Bound<'_, PyAny>, sdist_directory: &str) -> PyResult<String> {
        run(request, |r| {
            hooks::build_sdist(r, Path::new(sdist_directory))
        })
    }

    /// `prepare_metadata_for_build_wheel`, and for `build_editable` too: the metadata is
    /// the same.
    #[pyfunction]
    fn prepare_metadata(request: &Bound<'_, PyAny>, metadata_directory: &str) -> PyResult<String> {
        run(request, |r| {
            hooks::prepare_metadata(r, Path::new(metadata_directory))
        })
    }

    /// Builds the extensions next to their sources: the files written.
    #[pyfunction]
    fn build_inplace(request: &Bound<'_, PyAny>) -> PyResult<Vec<std::path::PathBuf>> {
        run(request, hooks::build_inplace)
    }

    /// Removes the build dirs zlig made: the folders removed.
    #[pyfunction]
    fn clean(request: &Bound<'_, PyAny>) -> PyResult<Vec<std::path::PathBuf>> {
        run(request, hooks::clean)
    }

    /// What zlig keeps in the user cache: (path, what, bytes), largest first; with `clear`,
    /// removed.
    #[pyfunction]
    fn cache(clear: bool) -> PyResult<Vec<(std::path::PathBuf, String, u64)>> {
        use crate::compile::tool_home;
        let kept = match clear {
            true => tool_home::clear()
                .map_err(|err| BuildError::new_err(format!("clearing zlig's cache: {err}")))?,
            false => tool_home::kept_everything(),
        };
        Ok(kept
            .into_iter()
            .map(|k| (k.path, k.what, k.bytes))
            .collect())
    }

    #[pymodule]
    fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("BuildError", m.py().get_type::<BuildError>())?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add_function(wrap_pyfunction!(get_requires_for_build_wheel, m)?)?;
        m.add_function(wrap_pyfunction!(build_wheel, m)?)?;
        m.add_function(wrap_pyfunction!(build_sdist, m)?)?;
        m.add_function(wrap_pyfunction!(prepare_metadata, m)?)?;
        m.add_function(wrap_pyfunction!(build_editable, m)?)?;
        m.add_function(wrap_pyfunction!(build_inplace, m)?)?;
        m.add_function(wrap_pyfunction!(clean, m)?)?;
        m.add_function(wrap_pyfunction!(cache, m)?)?;
        Ok(())
    }
}
