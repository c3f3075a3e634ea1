//! Deterministic randomness for the sans-IO core: a small PRNG seeded by the caller (the web layer passes
//! `crypto.getRandomValues` output; tests pass constants) and a NUID-like unique-id generator.

/// xorshift64* PRNG, seeded through splitmix64 (so seed 0 is fine). Not cryptographic: inbox names,
/// consumer names, server shuffling and reconnect jitter only.
#[derive(Debug, Clone)]
pub struct Prng {
    state: u64,
}

impl Prng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Prng {
            state: if z == 0 { 0x2545_F491_4F6C_DD1D } else { z },
        }
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A uniform integer in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Rejection sampling keeps it unbiased.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }
    /// A uniform float in `[0, 1]` (both ends reachable).
    pub fn unit_inclusive(&mut self) -> f64 {
        const MAX53: u64 = (1 << 53) - 1;
        (self.next_u64() >> 11) as f64 / MAX53 as f64
    }
    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PRE_LEN: usize = 12;
const SEQ_LEN: usize = 10;
/// 62^10.
const MAX_SEQ: u64 = 839_299_365_868_340_224;
const MIN_INC: u64 = 33;
const MAX_INC: u64 = 333;

/// Total length of a NUID.
pub const NUID_LEN: usize = PRE_LEN + SEQ_LEN;

/// NUID-like generator: 22 base62 characters, a random 12-character prefix followed by a 10-character
/// sequence that grows by a random increment (as nats.go/nats.js NUIDs). Ids are unique per generator
/// and unpredictable enough for inbox and consumer names.
#[derive(Debug, Clone)]
pub struct Nuid {
    rng: Prng,
    pre: [u8; PRE_LEN],
    seq: u64,
    inc: u64,
}

impl Nuid {
    /// A generator determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut n = Nuid {
            rng: Prng::new(seed),
            pre: [b'0'; PRE_LEN],
            seq: 0,
            inc: MIN_INC,
        };
        n.randomize_prefix();
        n.reset_sequential();
        n
    }

    fn randomize_prefix(&mut self) {
        for c in self.pre.iter_mut() {
            *c = DIGITS[self.rng.below(62) as usize];
        }
    }

    fn reset_sequential(&mut self) {
        self.seq = self.rng.below(MAX_SEQ);
        self.inc = MIN_INC + self.rng.below(MAX_INC - MIN_INC);
    }

    /// The next id (22 characters of `[0-9A-Za-z]`).
    pub fn next_id(&mut self) -> String {
        self.seq += self.inc;
        if self.seq >= MAX_SEQ {
            self.randomize_prefix();
            self.reset_sequential();
        }
        let mut out = [b'0'; NUID_LEN];
        out[..PRE_LEN].copy_from_slice(&self.pre);
        let mut v = self.seq;
        for slot in out[PRE_LEN..].iter_mut().rev() {
            *slot = DIGITS[(v % 62) as usize];
            v /= 62;
        }
        out.iter().map(|&b| b as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nuid_shape_and_uniqueness() {
        let mut n = Nuid::new(7);
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let id = n.next_id();
            assert_eq!(id.len(), NUID_LEN);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn nuid_is_deterministic_per_seed() {
        let a: Vec<String> = {
            let mut n = Nuid::new(42);
            (0..3).map(|_| n.next_id()).collect()
        };
        let b: Vec<String> = {
            let mut n = Nuid::new(42);
            (0..3).map(|_| n.next_id()).collect()
        };
        let c = Nuid::new(43).next_id();
        assert_eq!(a, b);
        assert_ne!(a[0], c);
        assert_eq!(a[0][..PRE_LEN], a[1][..PRE_LEN]);
    }

    #[test]
    fn nuid_rolls_prefix_at_sequence_end() {
        let mut n = Nuid::new(1);
        let pre = n.next_id()[..PRE_LEN].to_string();
        n.seq = MAX_SEQ - 1;
        let id = n.next_id();
        assert_ne!(&id[..PRE_LEN], pre);
        assert_eq!(id.len(), NUID_LEN);
    }

    #[test]
    fn prng_ranges() {
        let mut r = Prng::new(0);
        let mut hit_low = false;
        let mut hit_high = false;
        for _ in 0..10_000 {
            let v = r.below(5);
            assert!(v < 5);
            hit_low |= v == 0;
            hit_high |= v == 4;
            let u = r.unit_inclusive();
            assert!((0.0..=1.0).contains(&u));
        }
        assert!(hit_low && hit_high);
        assert_eq!(r.below(0), 0);
        let mut v: Vec<u32> = (0..20).collect();
        r.shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}
