//! The threads the loaders read on. rayon's global pool takes `RAYON_NUM_THREADS` as it is
//! (100,000 threads if asked), and the command line caps what it is asked only for the
//! simulator's own pool; so a loader outside any pool runs in a pool of its own, of
//! `RAYON_NUM_THREADS` or one thread per core, never more than [`MAX_THREADS`].

use std::sync::OnceLock;

use rayon::{ThreadPool, ThreadPoolBuilder};

/// Reading files and tables gains nothing past this many threads.
pub const MAX_THREADS: usize = 8;

/// Runs `work` in the current rayon pool if there is one (the caller chose its size), else
/// in the loaders' pool, built once per process; on the calling thread alone when no pool
/// can be built.
pub fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return work();
    }
    static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|n| n.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(cores)
            .min(MAX_THREADS);
        ThreadPoolBuilder::new().num_threads(threads).build().ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}
