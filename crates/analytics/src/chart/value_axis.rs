//! The value axis: from 0 (counts: a line that starts at zero does not exaggerate) to a round
//! top, in steps of 1, 2 or 5 times a power of ten, so every label is a number people round to.

/// `(step, top)`: the smallest step in 1-2-5 × 10ⁿ (at least 1: counts are whole) such that
/// `top = step × k ≥ max` with `k ≤ max_intervals`. All zero: step 1, top 1.
pub fn nice(max: u128, max_intervals: u32) -> (u128, u128) {
    let intervals = u128::from(max_intervals.max(1));
    let mut magnitude: u128 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            let k = max.div_ceil(step).max(1);
            if k <= intervals {
                return (step, step * k);
            }
        }
        magnitude *= 10;
    }
}

/// The tick values: 0, step, …, top.
pub fn ticks(step: u128, top: u128) -> Vec<u128> {
    (0..=top / step).map(|k| k * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five() {
        let cases = [(0, (1, 1)), (1, (1, 1)), (3, (1, 3)), (4, (1, 4)), (5, (2, 6)), (7, (2, 8)), (9, (5, 10)), (97, (50, 100)), (101, (50, 150))];
        for (max, want) in cases {
            assert_eq!(nice(max, 4), want, "{max}");
        }
        assert_eq!(nice(12_345, 4), (5_000, 15_000));
        assert_eq!(nice(1_000_000, 4), (500_000, 1_000_000));
        assert_eq!(ticks(500_000, 1_000_000), [0, 500_000, 1_000_000]);
        assert_eq!(ticks(1, 1), [0, 1]);
    }

    #[test]
    fn int64_counts_fit() {
        let (step, top) = nice(i64::MAX as u128, 4);
        assert_eq!((step, top), (5_000_000_000_000_000_000, 10_000_000_000_000_000_000));
        assert!(top >= i64::MAX as u128);
        let (step, top) = nice(u128::from(u64::MAX), 4);
        assert!(top >= u128::from(u64::MAX) && top / step <= 4);
    }

    #[test]
    fn the_top_is_never_below_the_max_and_the_steps_are_few() {
        for max in (0..5_000).chain([65_535, 999_999, 1_000_001]) {
            let (step, top) = nice(max, 4);
            assert!(top >= max && top / step <= 4 && top % step == 0, "{max}: {step}/{top}");
            let lead = step / 10u128.pow(step.ilog10());
            assert!(matches!(lead, 1 | 2 | 5), "{max}: step {step}");
        }
    }
}
