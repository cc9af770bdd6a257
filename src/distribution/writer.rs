//! One writer interface, three sinks: the wheel (zip + RECORD), the sdist (tar.gz) and a
//! plain directory (the metadata dir of `prepare_metadata_for_build_wheel`).
//!
//! Contract: callers add entries in the order they must appear, then call `finish`. Until
//! `finish` succeeds nothing exists at the final path: archives are written to a temporary
//! file in the output folder and renamed; a dropped writer deletes its temporary file.
//! Entries get a fixed timestamp and normalized modes (0o644, or 0o755 for executables).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::distribution::DistributionError;
use crate::error::{IoContext, Result};
use crate::leftovers::{self, Folder};

/// A sink for distribution files.
pub trait DistWriter {
    /// Adds `bytes` at the `/`-separated archive path `path`.
    fn add(&mut self, path: &str, bytes: &[u8], executable: bool) -> Result<()>;
    /// Completes the output and moves it into place. You must call this to get any output.
    fn finish(self: Box<Self>) -> Result<PathBuf>;
}

/// The timestamp of every entry: `SOURCE_DATE_EPOCH`, else 1980-01-01 (the zip epoch).
#[derive(Debug, Clone, Copy)]
pub struct Timestamp(pub i64);

impl Timestamp {
    const ZIP_EPOCH: i64 = 315_532_800;

    /// Reads `SOURCE_DATE_EPOCH`; an unparsable value is an error, not silently ignored.
    pub fn from_env() -> Result<Self> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) if !value.trim().is_empty() => value
                .trim()
                .parse::<i64>()
                .map(|t| Self(t.max(Self::ZIP_EPOCH)))
                .map_err(|_| DistributionError::SourceDateEpoch(value).into()),
            _ => Ok(Self(Self::ZIP_EPOCH)),
        }
    }

    fn zip(self) -> zip::DateTime {
        let t = time::OffsetDateTime::from_unix_timestamp(self.0)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        zip::DateTime::from_date_and_time(
            t.year().clamp(1980, 2107) as u16,
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            // zip stores seconds in 2-second steps
            t.second() & !1,
        )
        .unwrap_or_default()
    }
}

fn mode(executable: bool) -> u32 {
    if executable { 0o755 } else { 0o644 }
}

fn temp_in(dir: &Path) -> Result<NamedTempFile> {
    std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    leftovers::remove(dir, Folder::Users);
    // Created like any new file (0o666 less the umask), not tempfile's private 0o600, since
    // the temporary file becomes the output.
    tempfile::Builder::new()
        .prefix(&leftovers::temp_prefix())
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .context(|| format!("creating a temporary file in {}", dir.display()))
}

/// Moves a finished output into place, unless the build was interrupted first.
fn persist(file: NamedTempFile, target: &Path) -> Result<PathBuf> {
    crate::interrupt::check()?;
    file.persist(target)
        .map_err(|err| err.error)
        .context(|| format!("moving the output to {}", target.display()))?;
    Ok(target.to_path_buf())
}

/// Attaches what we were doing to an archive error.
fn archived<T>(result: zip::result::ZipResult<T>, context: impl FnOnce() -> String) -> Result<T> {
    result.map_err(|source| {
        DistributionError::Archive {
            context: context(),
            source,
        }
        .into()
    })
}

/// The RECORD hash: `sha256=<urlsafe base64, no padding>` (binary distribution format spec).
pub fn record_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!(
        "sha256={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// A RECORD field, quoted as CSV when needed. Hand-written: RECORD needs only this one
/// rule, and the `csv` crate would be a dependency for a single function.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Writes a `.whl`, adding `RECORD` (the path given at creation) last on `finish`.
///
/// The archive is built in memory and written out once: the zip crate seeks back to patch
/// each entry's header, which on a file costs several system calls per entry (10,000s for
/// a large pure-Python package), and every entry is read into memory anyway.
pub struct WheelWriter {
    zip: zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
    file: NamedTempFile,
    target: PathBuf,
    record_path: String,
    record: String,
    timestamp: Timestamp,
}

impl WheelWriter {
    pub fn new(target: PathBuf, record_path: String, timestamp: Timestamp) -> Result<Self> {
        let dir = target.parent().unwrap_or(Path::new("."));
        Ok(Self {
            zip: zip::ZipWriter::new(std::io::Cursor::new(Vec::new())),
            file: temp_in(dir)?,
            target,
            record_path,
            record: String::new(),
            timestamp,
        })
    }

    fn write_entry(&mut self, path: &str, bytes: &[u8], executable: bool) -> Result<()> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(self.timestamp.zip())
            .unix_permissions(mode(executable))
            .large_file(bytes.len() >= u32::MAX as usize);
        archived(self.zip.start_file(path, options), || {
            format!("adding {path} to the wheel")
        })?;
        // In pieces, so that an interruption is noticed within a large file too.
        for piece in bytes.chunks(CHECK_EVERY) {
            crate::interrupt::check()?;
            self.zip
                .write_all(piece)
                .context(|| format!("adding {path} to the wheel"))?;
        }
        Ok(())
    }
}

/// How many bytes are compressed between two checks for an interruption.
const CHECK_EVERY: usize = 1 << 20;

impl DistWriter for WheelWriter {
    fn add(&mut self, path: &str, bytes: &[u8], executable: bool) -> Result<()> {
        self.write_entry(path, bytes, executable)?;
        self.record.push_str(&format!(
            "{},{},{}\n",
            csv_field(path),
            record_hash(bytes),
            bytes.len()
        ));
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<PathBuf> {
        let record_path = self.record_path.clone();
        let mut record = std::mem::take(&mut self.record);
        record.push_str(&format!("{},,\n", csv_field(&record_path)));
        self.write_entry(&record_path, record.as_bytes(), false)?;
        let archive = archived(self.zip.finish(), || "finishing the wheel".to_string())?;
        self.file
            .write_all(archive.get_ref())
            .context(|| format!("writing {}", self.file.path().display()))?;
        persist(self.file, &self.target)
    }
}

/// Writes a `.tar.gz` whose entries all sit under one top folder.
pub struct SdistWriter {
    tar: tar::Builder<flate2::write::GzEncoder<NamedTempFile>>,
    target: PathBuf,
    prefix: String,
    timestamp: Timestamp,
}

impl SdistWriter {
    pub fn new(target: PathBuf, prefix: String, timestamp: Timestamp) -> Result<Self> {
        let dir = target.parent().unwrap_or(Path::new("."));
        // A fixed gzip header (no name, mtime 0) keeps the archive reproducible.
        let gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(temp_in(dir)?, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        tar.mode(tar::HeaderMode::Deterministic);
        Ok(Self {
            tar,
            target,
            prefix,
            timestamp,
        })
    }
}

impl DistWriter for SdistWriter {
    fn add(&mut self, path: &str, bytes: &[u8], executable: bool) -> Result<()> {
        crate::interrupt::check()?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode(executable));
        header.set_mtime(self.timestamp.0.max(0) as u64);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        let full = format!("{}/{path}", self.prefix);
        self.tar
            .append_data(&mut header, &full, bytes)
            .context(|| format!("adding {full} to the sdist"))
    }

    fn finish(self: Box<Self>) -> Result<PathBuf> {
        let gz = self
            .tar
            .into_inner()
            .context(|| "finishing the sdist".to_string())?;
        let file = gz
            .finish()
            .context(|| "compressing the sdist".to_string())?;
        persist(file, &self.target)
    }
}

/// Writes files into a new directory, which appears at its final path only on `finish`.
pub struct DirWriter {
    temp: tempfile::TempDir,
    target: PathBuf,
}

impl DirWriter {
    pub fn new(target: PathBuf) -> Result<Self> {
        let parent = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
        leftovers::remove(parent, Folder::Users);
        let temp = tempfile::Builder::new()
            .prefix(&leftovers::temp_prefix())
            .permissions(std::fs::Permissions::from_mode(0o777))
            .tempdir_in(parent)
            .context(|| format!("creating a temporary folder in {}", parent.display()))?;
        Ok(Self { temp, target })
    }
}

impl DistWriter for DirWriter {
    fn add(&mut self, path: &str, bytes: &[u8], _executable: bool) -> Result<()> {
        let full = self.temp.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&full, bytes).context(|| format!("writing {}", full.display()))
    }

    fn finish(self: Box<Self>) -> Result<PathBuf> {
        crate::interrupt::check()?;
        if self.target.exists() {
            std::fs::remove_dir_all(&self.target)
                .context(|| format!("replacing {}", self.target.display()))?;
        }
        let temp = self.temp.keep();
        std::fs::rename(&temp, &self.target)
            .context(|| format!("moving the output to {}", self.target.display()))?;
        Ok(self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_hash_is_urlsafe_base64_without_padding() {
        // sha256("") from the wheel spec's example style
        assert_eq!(
            record_hash(b""),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("a/b.py"), "a/b.py");
        assert_eq!(csv_field("a,b\"c"), "\"a,b\"\"c\"");
    }

    #[test]
    fn wheel_ends_with_record_listing_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x-1-py3-none-any.whl");
        let mut writer: Box<dyn DistWriter> = Box::new(
            WheelWriter::new(target.clone(), "x-1.dist-info/RECORD".into(), Timestamp(0)).unwrap(),
        );
        writer.add("x/__init__.py", b"", false).unwrap();
        assert!(!target.exists(), "nothing at the final path before finish");
        writer.finish().unwrap();
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&target).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(names, ["x/__init__.py", "x-1.dist-info/RECORD"]);
        let mut record = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("x-1.dist-info/RECORD").unwrap(),
            &mut record,
        )
        .unwrap();
        assert_eq!(
            record,
            "x/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nx-1.dist-info/RECORD,,\n"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn dropped_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x-1.tar.gz");
        let mut writer = SdistWriter::new(target, "x-1".into(), Timestamp(0)).unwrap();
        writer.add("PKG-INFO", b"", false).unwrap();
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
