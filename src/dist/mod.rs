//! Distributions: what goes in (`contents`), and the sinks that store it (`writer`): the
//! wheel, the sdist and the metadata directory.

pub mod contents;
pub mod sdist;
pub mod wheel;
pub mod writer;
