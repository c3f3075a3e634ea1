//! Small f64 ⇄ decimal text conversions, instead of core's `f64: FromStr` and `Display`/`Debug`.
//!
//! core's versions are exact for every input but cost about 25 KB of gzipped wasm (Grisu/Dragon4
//! formatting, Eisel–Lemire parsing with its 10 KB table of powers of five). The client only meets
//! floats in a few places: JSON numbers with a fraction or exponent (the NATS server sends none;
//! they must still parse), Go durations (`"1.5s"`) and error messages that quote a number of
//! milliseconds. These routines are exact where that matters and close elsewhere:
//!
//! - [`parse_f64`] is correctly rounded for integers up to `u64::MAX` and for decimals with at most
//!   15 significant digits and a decimal exponent within ±22 (Clinger's fast path: both operands
//!   exact, one IEEE operation); beyond that it is within 2 ulp for magnitudes 1e-20..1e20 and a
//!   few ulp (≤ 8 in the tests) at the extremes.
//! - [`write_f64`] prints what `format!("{x}")` prints for integers below 2^53 and for every value
//!   whose shortest round-trip form `d·10^k` has at most 15 significant digits and |k| ≤ 22 (so
//!   `999.5`, `0.001`, `1e20`); otherwise it prints up to 17 significant digits computed in f64, which
//!   read back within the same tolerance (the last digits can differ from core's shortest form).

/// 10^0 ..= 10^22, all exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// 2^53: integers below it are exact in f64.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `x · 10^e`, one exact power at a time (one rounding for |e| ≤ 22). Callers bound |e|.
fn scale10(mut x: f64, mut e: i32) -> f64 {
    while e > 22 {
        x *= 1e22;
        e -= 22;
    }
    while e < -22 {
        x /= 1e22;
        e += 22;
    }
    if e >= 0 {
        x * POW10[e as usize]
    } else {
        x / POW10[(-e) as usize]
    }
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (either side of the point may be empty, not
/// both). `None` for anything else. See the module docs for the precision.
pub fn parse_f64(text: &str) -> Option<f64> {
    let s = text.as_bytes();
    let mut i = 0;
    let negative = match s.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut w: u64 = 0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    let mut exact = true;
    let mut exact_digits = true;
    let mut point = false;
    while let Some(&b) = s.get(i) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                let next = w
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')));
                match next.filter(|_| exact_digits) {
                    Some(v) => {
                        w = v;
                        if point {
                            exp -= 1;
                        }
                    }
                    None => {
                        // Digits past u64 are dropped (each one before the point scales by 10).
                        exact_digits = false;
                        exact &= b == b'0';
                        if !point {
                            exp += 1;
                        }
                    }
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let neg_exp = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i64 = 0;
        while let Some(&b @ b'0'..=b'9') = s.get(i) {
            e = (e * 10 + i64::from(b - b'0')).min(1 << 20);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if neg_exp { -e } else { e };
    }
    if i != s.len() {
        return None;
    }
    let value = if w == 0 {
        0.0
    } else if exp == 0 && exact {
        // u64 → f64 is correctly rounded.
        w as f64
    } else {
        while w % 10 == 0 {
            w /= 10;
            exp += 1;
        }
        // Exact when w < 2^53 and |exp| ≤ 22; the clamp only bounds the loop (the result is 0 or ∞).
        scale10(w as f64, exp.clamp(-800, 800) as i32)
    };
    Some(if negative { -value } else { value })
}

/// `(digits, exponent)` with `digits · 10^exponent` ≈ `x`, for a finite `x > 0`: the shortest form
/// that reads back exactly when one with at most 15–16 digits and |exponent| ≤ 22 exists, else
/// 17 significant digits computed in f64.
fn decimal(x: f64) -> (u64, i32) {
    if x < EXACT {
        if x.fract() == 0.0 {
            return (x as u64, 0);
        }
        // The fewest decimals whose value parses back to x (d / 10^p is one correctly rounded division).
        for (p, &scale) in POW10.iter().enumerate().skip(1) {
            let d = (x * scale).round_ties_even();
            if d < EXACT && d / scale == x {
                return (d as u64, -(p as i32));
            }
        }
    } else {
        // The fewest digits d with d · 10^k == x (one correctly rounded multiplication).
        for k in (1..=22).rev() {
            let d = (x / POW10[k]).round_ties_even();
            if (1.0..EXACT).contains(&d) && d * POW10[k] == x {
                return (d as u64, k as i32);
            }
        }
    }
    // 17 significant digits, computed in f64.
    let mut e = 0;
    while scale10(x, -e) >= 1e17 {
        e += 1;
    }
    while scale10(x, -e) < 1e16 {
        e -= 1;
    }
    let mut d = scale10(x, -e).round_ties_even() as u64;
    while d != 0 && d % 10 == 0 {
        d /= 10;
        e += 1;
    }
    (d, e)
}

fn push_u64(mut n: u64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Writes `x` like `format!("{x}")`: no exponent, `NaN`, `inf`, `-inf`, `-0`. See the module docs.
pub fn write_f64(x: f64, out: &mut String) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.push_str("inf");
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    let (d, e) = decimal(x);
    let mut digits = String::new();
    push_u64(d, &mut digits);
    if e >= 0 {
        out.push_str(&digits);
        for _ in 0..e {
            out.push('0');
        }
        return;
    }
    let frac = (-e) as usize;
    // `split_at_checked`: the digits are ASCII, and no str-slicing panic (core's `slice_error_fail`
    // formats with `Debug`) gets linked.
    if let Some((int, fraction)) = digits
        .len()
        .checked_sub(frac)
        .filter(|&n| n > 0)
        .and_then(|n| digits.split_at_checked(n))
    {
        out.push_str(int);
        out.push('.');
        out.push_str(fraction);
    } else {
        out.push_str("0.");
        for _ in digits.len()..frac {
            out.push('0');
        }
        out.push_str(&digits);
    }
}

/// `x` as [`write_f64`] text.
pub fn f64_text(x: f64) -> String {
    let mut s = String::new();
    write_f64(x, &mut s);
    s
}

/// Writes a finite `x` as a JSON number that [`parse_f64`] reads back: `<digits>.0` for integers
/// below 2^53, else `<digits>e<exponent>`; `null` when not finite.
pub fn write_json_f64(x: f64, out: &mut String) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let x = x.abs();
    if x == 0.0 {
        out.push_str("0.0");
        return;
    }
    let (d, e) = decimal(x);
    push_u64(d, out);
    if e == 0 {
        out.push_str(".0");
    } else {
        out.push('e');
        if e < 0 {
            out.push('-');
        }
        push_u64(u64::from(e.unsigned_abs()), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{MAX_SAFE_INTEGER, MAX_TIMER_MS};

    /// The tolerance outside the exact cases: 2 ulp for magnitudes 1e-20..1e20, 8 beyond.
    fn close(x: f64, ulps: i64) -> bool {
        ulps <= if (1e-20..1e20).contains(&x.abs()) {
            2
        } else {
            8
        }
    }

    /// A deterministic stream of f64 bit patterns and "human" numbers.
    /// Core's shortest form of `x` (`{:e}`, e.g. `1.2345e3`): significant digits and decimal exponent.
    fn shortest_form(x: f64) -> (usize, i32) {
        let short = format!("{x:e}");
        let (mantissa, exp) = short.split_once('e').unwrap();
        (mantissa.replace(['.', '-'], "").len(), exp.parse().unwrap())
    }

    fn samples() -> Vec<f64> {
        let mut v = vec![
            0.5,
            0.1,
            0.2,
            0.3,
            1.5,
            999.5,
            999.999,
            0.001,
            1e-5,
            2.5e-12,
            123.456,
            1000.0,
            1e15,
            9e15,
            MAX_SAFE_INTEGER,
            9_007_199_254_740_992.0,
            1e16,
            1e20,
            1e22,
            1e37,
            MAX_TIMER_MS,
            20_000.0,
            1500.25,
            0.30000000000000004,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            1152921504606846976.0,
            18446744073709551616.0,
        ];
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000 {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = f64::from_bits(s >> 1);
            if bits.is_finite() {
                v.push(bits);
            }
            // Decimals with few digits: n / 10^p.
            let n = (s >> 20) % 10_000_000;
            v.push(n as f64 / POW10[i % 9]);
            v.push((s >> 11) as f64);
        }
        v
    }

    #[test]
    fn writes_like_display_where_documented() {
        for x in samples() {
            let ours = f64_text(x);
            let core = format!("{x}");
            let (sig, e10) = shortest_form(x);
            let k = e10 - sig as i32 + 1;
            let int = x.fract() == 0.0 && x.abs() < EXACT;
            if int || (sig <= 15 && (-22..=22).contains(&k)) {
                assert_eq!(ours, core, "{x:e}");
            }
            // Always a faithful rendering: reads back to x, or within 2 ulp outside the exact range.
            let back: f64 = core.parse::<f64>().unwrap();
            let ours_back: f64 = ours.parse().unwrap();
            let ulps = (ours_back.to_bits() as i64 - back.to_bits() as i64).abs();
            assert!(close(x, ulps), "{x:e}: {ours} vs {core}");
        }
        for (x, s) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0"),
            (0.0, "0"),
            (-1.5, "-1.5"),
        ] {
            assert_eq!(f64_text(x), s);
            assert_eq!(format!("{x}"), s);
        }
    }

    #[test]
    fn parses_like_core_where_documented() {
        for x in samples() {
            for text in [format!("{x}"), format!("{x:e}"), format!("{x:?}")] {
                let core: f64 = text.parse().unwrap();
                let ours = parse_f64(&text).unwrap();
                let sig = format!("{x:e}")
                    .split('e')
                    .next()
                    .unwrap()
                    .replace(['.', '-'], "")
                    .len();
                let e10 = format!("{x:e}")
                    .split('e')
                    .nth(1)
                    .unwrap()
                    .parse::<i32>()
                    .unwrap();
                if sig <= 15 && (-22..=22).contains(&(e10 - sig as i32 + 1)) {
                    assert_eq!(ours.to_bits(), core.to_bits(), "{text}");
                } else {
                    let ulps = (ours.to_bits() as i64 - core.to_bits() as i64).abs();
                    assert!(
                        close(x, ulps) || (ours == 0.0 && core < 1e-300),
                        "{text}: {ours:e} vs {core:e}"
                    );
                }
            }
        }
        for n in [
            0u64,
            1,
            9_007_199_254_740_993,
            9_223_372_036_854_775_808,
            u64::MAX,
        ] {
            assert_eq!(parse_f64(&n.to_string()), Some(n as f64));
        }
        for (text, v) in [
            ("5.", 5.0),
            (".5", 0.5),
            ("-2.5E-3", -0.0025),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
            ("1e99999999999999999999", f64::INFINITY),
            ("-0", -0.0),
            ("0.000", 0.0),
            ("+7", 7.0),
        ] {
            assert_eq!(parse_f64(text), Some(v), "{text}");
        }
        for bad in [
            "", ".", "-", "e5", "1e", "1e+", "1..2", "1.2.3", "inf", "NaN", "1x", " 1",
        ] {
            assert_eq!(parse_f64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn json_numbers_read_back() {
        for x in samples() {
            let mut s = String::new();
            write_json_f64(x, &mut s);
            let back = parse_f64(&s).unwrap();
            let ulps = (back.to_bits() as i64 - x.to_bits() as i64).abs();
            assert!(close(x, ulps), "{x:e} -> {s} -> {back:e}");
            let (sig, e10) = shortest_form(x);
            if sig <= 15 && (-22..=22).contains(&(e10 - sig as i32 + 1)) {
                assert_eq!(back.to_bits(), x.to_bits(), "{x:e} -> {s}");
            }
        }
        let mut s = String::new();
        write_json_f64(1.0, &mut s);
        assert_eq!(s, "1.0");
    }

    #[test]
    fn push_u64_appends_decimal_text() {
        for n in [0, 7, 10, 12345, u64::MAX] {
            let mut s = String::from("x");
            push_u64(n, &mut s);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
