//! Numbers as text for tables and messages. The lowest layer: it imports nothing of the crate, so
//! that every layer (scenario, experiment, plot, report, cli) may use it.

/// A figure for a console table, with the precision it deserves: levels (workers, CNY) in whole
/// units with thousands separators, rates, shares and elasticities with four decimals; never "-0".
pub fn figure(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() < 100.0 {
        let s = format!("{x:.4}");
        return if s
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        };
    }
    let digits = format!("{:.0}", x.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if x < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// [`figure`] with an explicit sign (differences).
pub fn signed_figure(x: f64) -> String {
    let f = figure(x);
    if f.starts_with('-') {
        f
    } else {
        format!("+{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::{figure, signed_figure};

    #[test]
    fn figures_read_well() {
        assert_eq!(figure(26_159_205_011.14), "26,159,205,011");
        assert_eq!(figure(-1234.6), "-1,235");
        assert_eq!(figure(0.05571), "0.0557");
        assert_eq!(figure(-0.0), "0.0000");
        assert_eq!(figure(-0.00000001), "0.0000");
        assert_eq!(signed_figure(6_496_814_585.06), "+6,496,814,585");
        assert_eq!(signed_figure(-0.0277), "-0.0277");
        assert_eq!(figure(100.0), "100");
    }
}
