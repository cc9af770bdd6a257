//! Third-party backends: Python objects from the `zlig.backends` entry points, seen by the
//! core as one more `Backend`.
//!
//! The protocol and the read-only objects handed to plugins are defined and documented in
//! `python/zlig/backends.py`; this module only calls them. It exists only in the Python
//! module build, so `cargo test` needs no interpreter.

use std::rc::Rc;

use pyo3::prelude::*;
use serde_json::json;

use crate::compile::CompileError;
use crate::compile::backend::{Backend, BuildEnv, Unusable};
use crate::compile::graph::BuildGraph;
use crate::compile::path_maps;
use crate::error::{Error, Result};
use crate::hooks::Request;

/// The backends registered in the `zlig.backends` entry-point group.
pub fn load(request: &Request) -> Result<Vec<Rc<dyn Backend>>> {
    Python::attach(|py| {
        let objects = py.import("zlig._plugins")?.call_method0("load")?;
        let mut backends: Vec<Rc<dyn Backend>> = Vec::new();
        for object in objects.try_iter()? {
            backends.push(Rc::new(PluginBackend::new(py, object?.unbind(), request)?));
        }
        Ok(backends)
    })
    .map_err(|err: PyErr| CompileError::PluginLoad(err.to_string()).into())
}

/// A backend implemented in Python.
pub struct PluginBackend {
    object: Py<PyAny>,
    name: String,
    priority: i32,
    build_file: String,
    /// The environment `version()` is asked about, as JSON.
    environment: String,
    project_dir: String,
}

impl PluginBackend {
    /// Wraps a plugin object for the build `request` describes.
    pub fn new(py: Python<'_>, object: Py<PyAny>, request: &Request) -> PyResult<Self> {
        let bound = object.bind(py);
        let name: String = bound.getattr("name")?.extract()?;
        let priority: i32 = bound.getattr("priority")?.extract()?;
        let build_file = match bound.getattr_opt("build_file")? {
            Some(file) => file.extract()?,
            None => format!("build.{name}"),
        };
        let environment =
            json!({"project_dir": request.project_dir, "interpreter": request.interpreter})
                .to_string();
        Ok(Self {
            object,
            name,
            priority,
            build_file,
            environment,
            project_dir: request.project_dir.to_string_lossy().into_owned(),
        })
    }

    /// Builds a read-only protocol object (`Environment`, `BuildEnv` or `BuildGraph`) from
    /// its JSON.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        data: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        py.import("zlig.backends")?
            .call_method1("decode", (kind, data))
    }

    fn inputs<'py>(
        &self,
        py: Python<'py>,
        env: &BuildEnv,
        graph: &BuildGraph,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let mut build_env = serde_json::to_value(env).expect("the build env serializes");
        build_env["project_dir"] = json!(self.project_dir);
        build_env["target"] = json!(graph.target);
        let graph = graph.with_compile_flags(&path_maps::flags(graph, None));
        Ok((
            self.decode(py, "BuildEnv", build_env.to_string())?,
            self.decode(py, "BuildGraph", graph.to_json())?,
        ))
    }

    /// A failure in the plugin, with what it said; a Ctrl-C in it is an interruption.
    fn failed(&self, py: Python<'_>, doing: &'static str, err: PyErr) -> Error {
        if err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
            return Error::Interrupted;
        }
        let kind = err
            .get_type(py)
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        CompileError::Plugin {
            backend: self.name.clone(),
            doing,
            message: format!("{kind}: {}", err.value(py)),
        }
        .into()
    }
}

impl Backend for PluginBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn priority(&self) -> i32 {
        self.priority
    }

    fn version(&self) -> std::result::Result<String, Unusable> {
        Python::attach(|py| {
            let env = self
                .decode(py, "Environment", self.environment.clone())
                .map_err(|e| Unusable::Raised(e.to_string()))?;
            match self.object.bind(py).call_method1("version", (env,)) {
                Ok(version) if version.is_none() => Err(Unusable::Declined),
                Ok(version) => Ok(version.str().map(|s| s.to_string()).unwrap_or_default()),
                Err(err) => Err(Unusable::Raised(err.to_string())),
            }
        })
    }

    fn requirements(&self) -> Vec<String> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            match object.getattr_opt("requirements") {
                Ok(Some(method)) => method.call0().and_then(|r| r.extract()).unwrap_or_default(),
                _ => Vec::new(),
            }
        })
    }

    fn fingerprint(&self) -> String {
        json!({"plugin": self.name, "version": self.version().ok()}).to_string()
    }

    fn build_file(&self) -> &str {
        &self.build_file
    }

    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()> {
        Python::attach(|py| {
            let (env, graph) = self
                .inputs(py, env, graph)
                .map_err(|e| self.failed(py, "read its inputs", e))?;
            self.object
                .bind(py)
                .call_method1("write", (env, graph))
                .map(drop)
                .map_err(|e| self.failed(py, "write its build file", e))
        })
    }

    fn run(&self, env: &BuildEnv, graph: &BuildGraph, only: Option<&[&str]>) -> Result<()> {
        Python::attach(|py| {
            let (env, graph) = self
                .inputs(py, env, graph)
                .map_err(|e| self.failed(py, "read its inputs", e))?;
            let only: Option<Vec<String>> =
                only.map(|names| names.iter().map(|n| n.to_string()).collect());
            self.object
                .bind(py)
                .call_method1("build", (env, graph, only))
                .map(drop)
                .map_err(|e| self.failed(py, "build", e))
        })
    }
}
