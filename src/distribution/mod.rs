//! Distributions: what goes in (`contents`), and the sinks that store it (`writer`): the
//! wheel, the editable wheel, the sdist and the metadata directory.

pub mod contents;
pub mod editable;
pub mod sdist;
pub mod wheel;
pub mod writer;
