//! The client's memory while it sends a file (issue 22's Done-when): files of 1, 5 and 20 MB
//! are sent from a path through `ZoomClient::files()` to the fake Zoom, and the client
//! process's peak heap above its level before each send is printed against the file's size.
//! Flat means the peak does not grow with the file: the body is read in chunks as it goes.
//!
//! The fake runs in another process (this bench started again with `--fake`), so the bytes
//! it stores are not counted; the heap is counted by a global allocator that keeps the
//! current and the peak number of bytes allocated.
//!
//! `cargo bench -p zoom-chatbot-tests --bench file_upload`

#[path = "../tests/child/mod.rs"]
mod child;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use child::KillOnDrop;
use zoom_chatbot::ClientBuilder;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::files::FileSource;

/// The system allocator, counting bytes in use and the most ever in use.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZES_MB: [usize; 3] = [1, 5, 20];

/// The fake in a process of its own; it prints its `ZOOM_*` variables, one `NAME=value` a
/// line, then `ready`, and serves until its input closes.
fn fake() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let fake = zoom_mock::fake::ZoomMock::builder().unlimited().start().await.unwrap();
        let mut out = std::io::stdout().lock();
        for (name, value) in fake.client_env().iter() {
            writeln!(out, "{name}={value}").unwrap();
        }
        writeln!(out, "ready").unwrap();
        out.flush().unwrap();
        drop(out);
        // Until the bench closes our input.
        tokio::task::spawn_blocking(|| std::io::stdin().lines().count()).await.unwrap();
    });
}

fn main() {
    if std::env::args().any(|a| a == "--fake") {
        return fake();
    }
    // `cargo test` runs benches once as tests with `--bench` absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--fake")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut vars = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "ready" {
            break;
        }
        let (name, value) = line.split_once('=').unwrap();
        vars.push((name.to_owned(), value.to_owned()));
    }
    let _fake = KillOnDrop(child);

    let dir = std::env::temp_dir().join(format!("zoom-file-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let zoom = ClientBuilder::from_vars(vars).build().unwrap();
        let team = Conversation::channel("team").unwrap();
        // A first small send: the token, the connection and the lazily made tables exist
        // before anything is measured.
        zoom.files().send(&team, FileSource::bytes("warm.txt", "warm")).await.unwrap();
        println!("| file | client heap before | peak above it during the send | peak / file size |");
        println!("|---|---|---|---|");
        for mb in SIZES_MB {
            let path = dir.join(format!("{mb}mb.bin"));
            write_file(&path, mb * 1_000_000);
            let before = IN_USE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let started = std::time::Instant::now();
            zoom.files().send(&team, FileSource::path(&path)).await.unwrap();
            let elapsed = started.elapsed();
            let above = PEAK.load(Ordering::Relaxed) - before;
            println!(
                "| {mb} MB | {:.1} KiB | {:.1} KiB | {:.4} (sent in {:.0} ms) |",
                before as f64 / 1024.0,
                above as f64 / 1024.0,
                above as f64 / (mb * 1_000_000) as f64,
                elapsed.as_secs_f64() * 1000.0
            );
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file of `len` bytes, written from one small buffer (the bench's own heap stays small).
fn write_file(path: &std::path::Path, len: usize) {
    let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
}
