//! The sans-IO Key/Value core (API.md "Key/Value", KV-SPEC.md §1): validation, bucket configuration,
//! status, entries, write/read request builders and the watcher behind `watch()`, `keys()`,
//! `history()` and `view()`. The driver sends what these build and feeds the replies back.
//!
//! - [`validate`]: key, search-key and bucket-name rules;
//! - [`options`]: [`KvOptions`] and the STREAM.CREATE config of a bucket;
//! - [`status`]: [`KvStatus`] from a StreamInfo, `Kvm.list()` paging;
//! - [`entry`]: [`KvEntry`] from a direct get, a MSG.GET or a consumer delivery;
//! - [`bucket`]: [`Bucket`]: subjects, put/create/update/delete/purge, get, purgeDeletes;
//! - [`watch`]: [`Watcher`], the ordered consumer of a bucket as entries;
//! - [`collect`]: what `keys()`, `history()` and `view()` make of the entries.
#![warn(missing_docs)]

pub mod bucket;
pub mod collect;
pub mod entry;
pub mod options;
pub mod status;
pub mod validate;
pub mod watch;

#[cfg(test)]
pub(crate) mod tests;

pub use bucket::{Bucket, WriteRequest};
pub use collect::{HistoryCollector, KeysCollector, ViewState};
pub use entry::{KvEntry, Operation};
pub use options::{KvOptions, KvSource, Placement, Republish, Storage};
pub use status::{kv_statuses, KvStatus};
pub use watch::{Include, WatchOptions, WatchOutput, Watcher};

/// The stream name of a bucket: `KV_<bucket>`.
pub fn stream_name(bucket: &str) -> String {
    format!("KV_{bucket}")
}

/// The prefix of stream names that are buckets.
pub const STREAM_PREFIX: &str = "KV_";
