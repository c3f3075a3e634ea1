//! Time formats of the JetStream API: RFC 3339 timestamps (`Nats-Time-Stamp`, `time`, `created`),
//! Go durations (`Nats-TTL`) and the nanosecond integers of configs.

/// Nanoseconds per millisecond.
pub const NANOS_PER_MS: i64 = 1_000_000;

/// `ms` as nanoseconds; `None` on overflow or a negative value.
pub fn ms_to_ns(ms: i64) -> Option<i64> {
    if ms < 0 {
        return None;
    }
    ms.checked_mul(NANOS_PER_MS)
}

/// Whole milliseconds of `ns` (rounded down; negative values read as 0).
pub fn ns_to_ms(ns: i64) -> i64 {
    ns.max(0) / NANOS_PER_MS
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A fixed-width decimal field.
fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

/// Parses an RFC 3339 timestamp (`2024-05-06T07:08:09.123456789Z`, `…+02:00`; `t`/`z` and a space
/// separator accepted; any number of fraction digits) into milliseconds since the Unix epoch (rounded
/// down). `None` for anything else.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    if s.len() < 20 || s[4] != b'-' || s[7] != b'-' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    if !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    let (hour, min, sec) = (
        digits(&s[11..13])?,
        digits(&s[14..16])?,
        digits(&s[17..19])?,
    );
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // Leap second 60 is accepted and read as the next second, as Go does not produce it anyway.
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0;
    if let [b'.', tail @ ..] = rest {
        let n = tail.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut ms_digits = [b'0'; 3];
        for (slot, d) in ms_digits.iter_mut().zip(&tail[..n]) {
            *slot = *d;
        }
        millis = digits(&ms_digits)?;
        rest = &tail[n..];
    }
    let offset_min = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 60 + om;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_min * 60;
    Some(secs * 1000 + millis)
}

/// Parses a Go duration (`time.ParseDuration`: `"1h30m"`, `"1.5s"`, `"500ms"`, `"-2s"`, `"0"`;
/// units ns, us, µs, μs, ms, s, m, h) into nanoseconds. `None` for anything else or overflow.
pub fn parse_go_duration_ns(text: &str) -> Option<i128> {
    // No `&s[..n]` here: splits go through `split_at_checked` (the lengths are always on a char
    // boundary), so core's str-slicing panic, which formats with `Debug`, is not linked.
    let (negative, mut s) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_len = s
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (num, rest) = s.split_at_checked(num_len)?;
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let value = crate::proto::num::parse_f64(num)?;
        s = rest;
        let unit_len = s
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(s.len(), |(i, _)| i);
        let (unit, rest) = s.split_at_checked(unit_len)?;
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        s = rest;
        total += value * scale;
    }
    if !total.is_finite() || total > 9.3e18 {
        return None;
    }
    let ns = total as i128;
    Some(if negative { -ns } else { ns })
}

/// Milliseconds since the Unix epoch as `Date.toISOString()` writes them: `YYYY-MM-DDTHH:MM:SS.mmmZ`
/// (years 0000–9999; outside that range the year is clamped).
pub fn format_iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(0, 9999);
    let (h, m, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}
