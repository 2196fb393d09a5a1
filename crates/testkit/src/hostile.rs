//! Support for tests of hostile input: special and oversized files, and running code
//! that must neither block, hang nor overflow a small stack.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The stack a test thread has by default (2 MiB); debug builds have large frames, so
/// recursion that is not bounded overflows it soon.
pub const TEST_STACK: usize = 2 << 20;

/// How long [`bounded`] waits before failing instead of hanging.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `f` on a thread with a [`TEST_STACK`] and fails, instead of hanging, when it
/// takes over [`TIME_LIMIT`]. A panic in `f` is raised again here.
pub fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    bounded_with_stack(TEST_STACK, f)
}

/// [`bounded`] on a stack of `stack` bytes.
pub fn bounded_with_stack<T: Send + 'static>(
    stack: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("a thread starts");
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => {
            panic!("not finished after {TIME_LIMIT:?}: blocked or hanging")
        }
        Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sends a value before it ends"),
        },
    }
}

/// A named pipe `name` made in `dir` (with `mkfifo`).
pub fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
    path
}

/// Creates (or truncates) `path` as a file of `len` bytes. It is sparse: no disk space is
/// used for it, and nothing has to be written.
pub fn sparse_file(path: &Path, len: u64) {
    std::fs::File::create(path)
        .and_then(|f| f.set_len(len))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Writes `contents` to `name` in `dir`, giving its path.
pub fn write(dir: &Path, name: &str, contents: &(impl AsRef<[u8]> + ?Sized)) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_gives_the_value_and_raises_a_panic_again() {
        assert_eq!(bounded(|| 6 * 7), 42);
        let caught = std::panic::catch_unwind(|| bounded(|| -> u8 { panic!("inner") }));
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"inner"));
    }
}
