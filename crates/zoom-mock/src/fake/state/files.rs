//! The chat files the fake holds, per account, with their bytes: capped per file and in all
//! (bytes and count), and refused past the caps as Zoom refuses a file too large (400, code
//! 300, "Maximum file size exceeded"), never evicted (a file id a message names stays valid).

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::State;

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

impl State {
    /// Stores a file of `account`, within the caps (`Config::max_file_bytes`,
    /// `max_stored_file_bytes`, [`KEEP_FILES`]); its id.
    pub fn store_file(&mut self, account: &str, name: &str, bytes: Bytes) -> Result<String, Refused> {
        let (per_file, in_all) = (self.config.max_file_bytes, self.config.max_stored_file_bytes);
        if bytes.len() > per_file {
            return Err(Refused::TooLarge(per_file));
        }
        if self.files.bytes + bytes.len() > in_all || self.files.len() >= KEEP_FILES {
            return Err(Refused::Full);
        }
        let id = self.new_file_id();
        let digest = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        self.files.bytes += bytes.len();
        let file = FakeFile {
            id: id.clone(),
            account: account.to_owned(),
            name: name.to_owned(),
            bytes,
            digest,
            created_at: Utc::now(),
        };
        self.files.by_id.insert(id.clone(), file);
        Ok(id)
    }

    /// A new file id: 22 URL-safe characters.
    fn new_file_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        loop {
            let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
            let id: String = (0..22)
                .map(|i| ALPHABET[(if i < 11 { a >> (i * 6) } else { b >> ((i - 11) * 6) } & 63) as usize] as char)
                .collect();
            if !self.files.by_id.contains_key(&id) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::config::Config;

    #[test]
    fn files_past_either_cap_are_refused_and_nothing_is_evicted() {
        let config = Config { max_file_bytes: 10, max_stored_file_bytes: 25, ..Config::default() };
        let mut state = State::new(config).unwrap();
        let account = state.default_account().to_owned();
        assert_eq!(state.store_file(&account, "big.bin", Bytes::from(vec![0; 11])), Err(Refused::TooLarge(10)));
        let first = state.store_file(&account, "a.txt", Bytes::from(vec![1; 10])).unwrap();
        state.store_file(&account, "b.txt", Bytes::from(vec![2; 10])).unwrap();
        assert_eq!(state.store_file(&account, "c.txt", Bytes::from(vec![3; 10])), Err(Refused::Full));
        assert_eq!(state.files.stored_bytes(), 20);
        assert!(state.files.get(&account, &first).is_some(), "the first file is kept");
        assert!(state.files.get("OtherAccount", &first).is_none(), "a file is its account's");
        state.files.remove(&account, &first).unwrap();
        state.store_file(&account, "c.txt", Bytes::from(vec![3; 10])).unwrap();
        assert_eq!(state.files.stored_bytes(), 20);
    }

    #[test]
    fn the_count_is_capped_too() {
        let config = Config { max_stored_file_bytes: usize::MAX, ..Config::default() };
        let mut state = State::new(config).unwrap();
        let account = state.default_account().to_owned();
        for i in 0..KEEP_FILES * 10 {
            let stored = state.store_file(&account, "a", Bytes::from_static(b"x"));
            assert_eq!(stored.is_ok(), i < KEEP_FILES, "{i}");
        }
        assert_eq!(state.files.len(), KEEP_FILES);
    }
}
