//! The server pool: configured URLs plus those gossiped in INFO `connect_urls`, selected round-robin
//! (shuffled once unless `noRandomize`), with per-server failure counts and last attempt times.

use super::nuid::Prng;
use super::options::is_ws_url;
use crate::time::Mono;

/// Most servers the pool holds (gossip beyond this is ignored: the pool is bounded).
pub const MAX_POOL: usize = 128;

/// One server of the pool.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerEntry {
    /// `ws://…` or `wss://…`.
    pub url: String,
    /// Learned from INFO `connect_urls` rather than configured.
    pub gossiped: bool,
    /// Failed attempts since the last successful connection to it.
    pub failures: u32,
    /// Start of the last attempt.
    pub last_attempt: Option<Mono>,
    /// The server announced lame-duck mode: prefer others.
    pub lame_duck: bool,
    /// A connection to it succeeded at least once.
    pub did_connect: bool,
}

impl ServerEntry {
    fn new(url: String, gossiped: bool) -> Self {
        ServerEntry {
            url,
            gossiped,
            failures: 0,
            last_attempt: None,
            lame_duck: false,
            did_connect: false,
        }
    }
}

/// Comparison key of a URL: lower-case, no trailing `/`.
fn key(url: &str) -> String {
    url.trim_end_matches('/').to_ascii_lowercase()
}

/// What a `connect_urls` merge changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolChange {
    /// URLs added to the pool.
    pub added: Vec<String>,
    /// Gossiped URLs removed from the pool.
    pub deleted: Vec<String>,
}

impl PoolChange {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.deleted.is_empty()
    }
}

/// Ordered server pool; the selected server moves to the back (round-robin).
#[derive(Debug, Clone, Default)]
pub struct Pool {
    servers: Vec<ServerEntry>,
    current: Option<String>,
}

impl Pool {
    /// A pool of `urls` (duplicates dropped), shuffled with `rng` when given.
    pub fn new(urls: &[String], rng: Option<&mut Prng>) -> Self {
        let mut servers: Vec<ServerEntry> = Vec::new();
        for u in urls {
            if servers.len() < MAX_POOL && !servers.iter().any(|s| key(&s.url) == key(u)) {
                servers.push(ServerEntry::new(u.clone(), false));
            }
        }
        if let Some(rng) = rng {
            rng.shuffle(&mut servers);
        }
        Pool {
            servers,
            current: None,
        }
    }

    /// Number of servers.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Whether the pool is empty (nothing left to try).
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// All servers, in selection order.
    pub fn servers(&self) -> &[ServerEntry] {
        &self.servers
    }

    /// Picks the next server: the first one not in lame-duck mode (or the first if all are), moved to
    /// the back. It becomes the current server.
    pub fn select(&mut self) -> Option<&mut ServerEntry> {
        let idx =
            self.servers
                .iter()
                .position(|s| !s.lame_duck)
                .or(if self.servers.is_empty() {
                    None
                } else {
                    Some(0)
                })?;
        let entry = self.servers.remove(idx);
        self.current = Some(entry.url.clone());
        self.servers.push(entry);
        self.servers.last_mut()
    }

    fn current_index(&self) -> Option<usize> {
        let cur = self.current.as_deref()?;
        self.servers.iter().position(|s| s.url == cur)
    }

    /// The server of the current (or last) attempt.
    pub fn current(&self) -> Option<&ServerEntry> {
        self.current_index().map(|i| &self.servers[i])
    }

    /// Mutable access to the current server.
    pub fn current_mut(&mut self) -> Option<&mut ServerEntry> {
        self.current_index().map(move |i| &mut self.servers[i])
    }

    /// URL of the current server ("" if none).
    pub fn current_url(&self) -> String {
        self.current.clone().unwrap_or_default()
    }

    /// Drops the current server from the pool.
    pub fn remove_current(&mut self) {
        if let Some(i) = self.current_index() {
            self.servers.remove(i);
        }
    }

    /// Merges INFO `connect_urls`: entries without a scheme get `scheme` (`"ws"`/`"wss"`, the current
    /// server's), unusable entries are skipped, new ones are added (shuffled in with `rng` when given),
    /// gossiped servers no longer announced are removed (never the current one).
    pub fn merge(
        &mut self,
        connect_urls: &[&str],
        scheme: &str,
        rng: Option<&mut Prng>,
    ) -> PoolChange {
        let mut discovered: Vec<String> = Vec::new();
        for raw in connect_urls {
            let raw = raw.trim();
            let url = if crate::proto::contains(raw, "://") {
                raw.to_owned()
            } else {
                format!("{scheme}://{raw}")
            };
            if is_ws_url(&url) && !discovered.iter().any(|d| key(d) == key(&url)) {
                discovered.push(url);
            }
        }
        let mut change = PoolChange::default();
        let current_key = self.current.as_deref().map(key);
        self.servers.retain(|s| {
            let keep = !s.gossiped
                || current_key.as_deref() == Some(key(&s.url).as_str())
                || discovered.iter().any(|d| key(d) == key(&s.url));
            if !keep {
                change.deleted.push(s.url.clone());
            }
            keep
        });
        for url in discovered {
            if self.servers.len() >= MAX_POOL {
                break;
            }
            if !self.servers.iter().any(|s| key(&s.url) == key(&url)) {
                change.added.push(url.clone());
                self.servers.push(ServerEntry::new(url, true));
            }
        }
        if !change.added.is_empty() {
            if let Some(rng) = rng {
                rng.shuffle(&mut self.servers);
            }
        }
        change
    }

    /// Marks the current server as lame duck (or not).
    pub fn set_current_lame_duck(&mut self, ldm: bool) {
        if let Some(s) = self.current_mut() {
            s.lame_duck = ldm;
        }
    }
}

/// When to dial a server whose last attempt started at `last_attempt`: now if it was never tried or
/// was tried at least `wait + jitter` ago, else at `last_attempt + wait + jitter`, with `jitter` uniform
/// in `[0, max_jitter]`.
pub fn next_attempt_at(
    last_attempt: Option<Mono>,
    now: Mono,
    wait: f64,
    max_jitter: f64,
    rng: &mut Prng,
) -> Mono {
    let Some(last) = last_attempt else {
        return now;
    };
    let delay = wait + max_jitter * rng.unit_inclusive();
    let at = last.plus(delay);
    if at <= now {
        now
    } else {
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn round_robin_without_randomize() {
        let mut p = Pool::new(&urls(&["ws://a:1", "ws://b:1", "ws://a:1/"]), None);
        assert_eq!(p.len(), 2);
        let picks: Vec<String> = (0..4).map(|_| p.select().unwrap().url.clone()).collect();
        assert_eq!(picks, ["ws://a:1", "ws://b:1", "ws://a:1", "ws://b:1"]);
        assert_eq!(p.current_url(), "ws://b:1");
        p.remove_current();
        assert_eq!(p.select().unwrap().url, "ws://a:1");
    }

    #[test]
    fn shuffle_uses_seed() {
        let list: Vec<String> = (0..10).map(|i| format!("ws://s{i}:1")).collect();
        let orders: Vec<Vec<String>> = (0..4u64)
            .map(|seed| {
                let mut rng = Prng::new(seed);
                Pool::new(&list, Some(&mut rng))
                    .servers()
                    .iter()
                    .map(|s| s.url.clone())
                    .collect()
            })
            .collect();
        assert!(orders.iter().any(|o| *o != list));
        let mut rng = Prng::new(2);
        let again: Vec<String> = Pool::new(&list, Some(&mut rng))
            .servers()
            .iter()
            .map(|s| s.url.clone())
            .collect();
        assert_eq!(again, orders[2]);
    }

    #[test]
    fn lame_duck_is_avoided() {
        let mut p = Pool::new(&urls(&["ws://a:1", "ws://b:1"]), None);
        p.select();
        p.set_current_lame_duck(true);
        assert_eq!(p.select().unwrap().url, "ws://b:1");
        assert_eq!(p.select().unwrap().url, "ws://b:1");
        let mut single = Pool::new(&urls(&["ws://a:1"]), None);
        single.select();
        single.set_current_lame_duck(true);
        assert_eq!(single.select().unwrap().url, "ws://a:1");
    }

    #[test]
    fn merge_adds_with_scheme_and_deletes_gone_gossip() {
        let mut p = Pool::new(&urls(&["wss://a:443"]), None);
        p.select();
        let c = p.merge(
            &["a:443", "b:443", "bad host:1", "ws://c:80", ""],
            "wss",
            None,
        );
        assert_eq!(c.added, ["wss://b:443", "ws://c:80"]);
        assert!(c.deleted.is_empty());
        assert_eq!(p.len(), 3);
        let c = p.merge(&["a:443", "b:443"], "wss", None);
        assert_eq!(
            c,
            PoolChange {
                added: vec![],
                deleted: vec!["ws://c:80".into()]
            }
        );
        // Configured servers are never deleted by gossip.
        let c = p.merge(&[], "wss", None);
        assert_eq!(c.deleted, ["wss://b:443"]);
        assert_eq!(
            p.servers()
                .iter()
                .map(|s| s.url.as_str())
                .collect::<Vec<_>>(),
            ["wss://a:443"]
        );
    }

    #[test]
    fn jittered_delay_bounds() {
        let mut rng = Prng::new(9);
        assert_eq!(
            next_attempt_at(None, Mono(50.0), 2000.0, 100.0, &mut rng),
            Mono(50.0)
        );
        assert_eq!(
            next_attempt_at(Some(Mono(0.0)), Mono(5000.0), 2000.0, 100.0, &mut rng),
            Mono(5000.0)
        );
        let mut min = f64::MAX;
        let mut max: f64 = 0.0;
        for _ in 0..2000 {
            let at = next_attempt_at(Some(Mono(1000.0)), Mono(1000.0), 2000.0, 100.0, &mut rng);
            let d = at.since(Mono(1000.0));
            assert!((2000.0..=2100.0).contains(&d), "{d}");
            min = min.min(d);
            max = max.max(d);
        }
        assert!(
            min < 2010.0 && max > 2090.0,
            "jitter should spread: {min}..{max}"
        );
    }
}
