//! The chat files the fake holds, per account, with their bytes: capped per file and in all
//! (bytes and count), and refused past the caps as Zoom refuses a file too large (400, code
//! 300, "Maximum file size exceeded"), never evicted (a file id a message names stays valid).

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::fake::rng::SplitMix64;

/// How many files are kept, over all accounts.
pub(crate) const KEEP_FILES: usize = 10_000;

/// One stored file.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeFile {
    /// Its id (22 characters, as Zoom's examples show).
    pub id: String,
    /// The account it was uploaded in.
    pub account: String,
    /// The name it was uploaded with.
    pub name: String,
    /// Its bytes.
    pub bytes: Bytes,
    /// Its SHA-256 digest, hex.
    pub digest: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl FakeFile {
    /// The extension Zoom reports as `OS_file_type` (empty without one).
    pub fn extension(&self) -> String {
        self.name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
    }

    /// Whether Zoom treats it as an image (`png`, `jpg`, `jpeg`, `gif`).
    pub fn is_image(&self) -> bool {
        matches!(self.extension().as_str(), "png" | "jpg" | "jpeg" | "gif")
    }
}

/// The files, by id, and their bytes in all.
#[derive(Debug, Default)]
pub(crate) struct Files {
    by_id: HashMap<String, FakeFile>,
    bytes: usize,
}

/// Why a file was not stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Larger than the per-file cap (the cap).
    TooLarge(usize),
    /// The store is full (bytes or count).
    Full,
}

impl Files {
    pub fn get(&self, account: &str, id: &str) -> Option<&FakeFile> {
        self.by_id.get(id).filter(|f| f.account == account)
    }

    /// Every file, in no order.
    pub fn all(&self) -> impl Iterator<Item = &FakeFile> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Bytes held in all.
    pub fn stored_bytes(&self) -> usize {
        self.bytes
    }

    pub fn remove(&mut self, account: &str, id: &str) -> Option<FakeFile> {
        self.get(account, id)?;
        let file = self.by_id.remove(id)?;
        self.bytes -= file.bytes.len();
        Some(file)
    }
}

impl Files {
    /// Stores a file of `account` within the caps (`per_file` bytes each, `in_all` bytes
    /// together, [`KEEP_FILES`] files); its id, drawn from `rng`.
    pub fn store(
        &mut self,
        account: &str,
        name: &str,
        bytes: Bytes,
        (per_file, in_all): (usize, usize),
        rng: &mut SplitMix64,
    ) -> Result<String, Refused> {
        if bytes.len() > per_file {
            return Err(Refused::TooLarge(per_file));
        }
        if self.bytes + bytes.len() > in_all || self.len() >= KEEP_FILES {
            return Err(Refused::Full);
        }
        let id = self.new_id(rng);
        let digest = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        self.bytes += bytes.len();
        let file = FakeFile {
            id: id.clone(),
            account: account.to_owned(),
            name: name.to_owned(),
            bytes,
            digest,
            created_at: Utc::now(),
        };
        self.by_id.insert(id.clone(), file);
        Ok(id)
    }

    /// A new file id: 22 URL-safe characters.
    fn new_id(&self, rng: &mut SplitMix64) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        loop {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            let id: String = (0..22)
                .map(|i| ALPHABET[((if i < 11 { a >> (i * 6) } else { b >> ((i - 11) * 6) }) & 63) as usize] as char)
                .collect();
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "FakeAccount01";

    #[test]
    fn files_past_either_cap_are_refused_and_nothing_is_evicted() {
        let (mut files, mut rng, caps) = (Files::default(), SplitMix64::new(1), (10, 25));
        let mut store = |files: &mut Files, name: &str, n: usize| {
            files.store(ACCOUNT, name, Bytes::from(vec![1; n]), caps, &mut rng)
        };
        assert_eq!(store(&mut files, "big.bin", 11), Err(Refused::TooLarge(10)));
        let first = store(&mut files, "a.txt", 10).unwrap();
        store(&mut files, "b.txt", 10).unwrap();
        assert_eq!(store(&mut files, "c.txt", 10), Err(Refused::Full));
        assert_eq!(files.stored_bytes(), 20);
        assert!(files.get(ACCOUNT, &first).is_some(), "the first file is kept");
        assert!(files.get("OtherAccount", &first).is_none(), "a file is its account's");
        files.remove(ACCOUNT, &first).unwrap();
        store(&mut files, "c.txt", 10).unwrap();
        assert_eq!(files.stored_bytes(), 20);
    }

    #[test]
    fn the_count_is_capped_too() {
        let (mut files, mut rng) = (Files::default(), SplitMix64::new(1));
        for i in 0..KEEP_FILES * 10 {
            let stored = files.store(ACCOUNT, "a", Bytes::from_static(b"x"), (usize::MAX, usize::MAX), &mut rng);
            assert_eq!(stored.is_ok(), i < KEEP_FILES, "{i}");
        }
        assert_eq!(files.len(), KEEP_FILES);
    }
}
