//! Median-aimed statistics the systems share. A points line is the market's median, and the
//! team scores predictions by absolute error, whose minimiser is a median, not a mean: so the
//! systems combine residuals by weighted medians and fit blends by least absolute deviation.

/// The weighted median of `(value, weight)` pairs: the smallest value at which the cumulative
/// weight reaches half the total (weights ≤ 0 and non-finite values are ignored). `None` when
/// nothing is left. Ties between two middle values take their mean, so a symmetric sample gives
/// its centre.
pub fn weighted_median(pairs: &[(f64, f64)]) -> Option<f64> {
    let mut kept: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|(v, w)| v.is_finite() && w.is_finite() && *w > 0.0)
        .collect();
    if kept.is_empty() {
        return None;
    }
    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = kept.iter().map(|(_, w)| w).sum();
    let half = total / 2.0;
    let mut cumulative = 0.0;
    for (i, (v, w)) in kept.iter().enumerate() {
        cumulative += w;
        if (cumulative - half).abs() <= 1e-12 * total {
            // Exactly half the weight at or below v: the median is between v and the next.
            return Some(kept.get(i + 1).map_or(*v, |(next, _)| (v + next) / 2.0));
        }
        if cumulative > half {
            return Some(*v);
        }
    }
    kept.last().map(|(v, _)| *v)
}

/// Least-absolute-deviation coefficients of `y` on the columns of `x` (one row per
/// observation, no intercept), each constrained to `[0, upper]`. Cyclic coordinate descent:
/// with the other coefficients fixed, the best value of one is a weighted median of
/// `residual / x` with weights `|x|`, so every step is exact and the total absolute deviation
/// never rises. Stops after `sweeps` passes or when a pass changes nothing.
pub fn lad_fit(x: &[Vec<f64>], y: &[f64], upper: f64, sweeps: usize) -> Vec<f64> {
    let k = x.first().map_or(0, Vec::len);
    let mut beta = vec![0.0; k];
    let mut fitted = vec![0.0; y.len()];
    for _ in 0..sweeps {
        let mut moved = 0.0f64;
        for j in 0..k {
            let pairs: Vec<(f64, f64)> = x
                .iter()
                .zip(y)
                .zip(&fitted)
                .filter(|((row, _), _)| row[j] != 0.0)
                .map(|((row, yi), fi)| {
                    let partial = yi - (fi - beta[j] * row[j]);
                    (partial / row[j], row[j].abs())
                })
                .collect();
            let Some(best) = weighted_median(&pairs) else {
                continue;
            };
            let best = best.clamp(0.0, upper);
            let step = best - beta[j];
            if step != 0.0 {
                for (f, row) in fitted.iter_mut().zip(x) {
                    *f += step * row[j];
                }
                beta[j] = best;
                moved = moved.max(step.abs());
            }
        }
        if moved < 1e-9 {
            break;
        }
    }
    beta
}

/// Sum of absolute deviations of `y` from `x · beta`.
pub fn absolute_deviation(x: &[Vec<f64>], y: &[f64], beta: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(row, yi)| (yi - row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>()).abs())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_median_by_hand() {
        // Weights 1, 1, 3: the heavy 10 holds more than half.
        assert_eq!(
            weighted_median(&[(1.0, 1.0), (2.0, 1.0), (10.0, 3.0)]),
            Some(10.0)
        );
        // Even split: between the middle two.
        assert_eq!(
            weighted_median(&[(4.0, 1.0), (1.0, 1.0), (3.0, 1.0), (2.0, 1.0)]),
            Some(2.5)
        );
        // An outlier moves a mean, not a median.
        assert_eq!(
            weighted_median(&[(0.0, 1.0), (1.0, 1.0), (1000.0, 1.0)]),
            Some(1.0)
        );
        assert_eq!(weighted_median(&[(5.0, 0.0)]), None);
        assert_eq!(weighted_median(&[]), None);
    }

    #[test]
    fn lad_recovers_coefficients_despite_outliers() {
        // y = 0.5·a + 0.2·b exactly on most rows; a tenth are wild outliers that would drag a
        // least-squares fit.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..200 {
            let a = (i % 13) as f64 - 6.0;
            let b = (i % 7) as f64 - 3.0;
            x.push(vec![a, b]);
            y.push(0.5 * a + 0.2 * b + if i % 10 == 0 { 40.0 } else { 0.0 });
        }
        let beta = lad_fit(&x, &y, 1.0, 100);
        assert!((beta[0] - 0.5).abs() < 1e-6, "{beta:?}");
        assert!((beta[1] - 0.2).abs() < 1e-6, "{beta:?}");
        assert!(absolute_deviation(&x, &y, &beta) <= absolute_deviation(&x, &y, &[0.5, 0.2]));
    }

    #[test]
    fn lad_coefficients_stay_in_bounds() {
        // y = -x: the best non-negative coefficient is 0; y = 3x: capped at 1.
        let x: Vec<Vec<f64>> = (1..50).map(|i| vec![i as f64]).collect();
        let neg: Vec<f64> = x.iter().map(|r| -r[0]).collect();
        let big: Vec<f64> = x.iter().map(|r| 3.0 * r[0]).collect();
        assert_eq!(lad_fit(&x, &neg, 1.0, 20), vec![0.0]);
        assert_eq!(lad_fit(&x, &big, 1.0, 20), vec![1.0]);
    }
}
