//! Actions on RDDs of numbers: sum, mean, variance and Spark's `StatCounter`.

use super::Rdd;
use crate::error::Result;
use ember_engine::data::Data;
use serde::{Deserialize, Serialize};
use std::panic::Location;

/// Numbers that statistics can be taken of.
pub trait Numeric: Data + Copy + std::iter::Sum + PartialOrd {
    /// The value as `f64`.
    fn as_f64(self) -> f64;
}

macro_rules! numeric {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            #[inline]
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
numeric!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, f32, f64);

/// Count, mean, variance, min and max of a set of numbers, computed in one pass and mergeable
/// (Welford's method with Chan's merge, as Spark's `StatCounter`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatCounter {
    n: u64,
    mu: f64,
    m2: f64,
    max: f64,
    min: f64,
}

impl Default for StatCounter {
    fn default() -> Self {
        StatCounter {
            n: 0,
            mu: 0.0,
            m2: 0.0,
            max: f64::NEG_INFINITY,
            min: f64::INFINITY,
        }
    }
}

impl StatCounter {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        let delta = x - self.mu;
        self.n += 1;
        self.mu += delta / self.n as f64;
        self.m2 += delta * (x - self.mu);
        self.max = self.max.max(x);
        self.min = self.min.min(x);
    }
    /// Merges another counter into this one.
    pub fn merge(&mut self, o: &StatCounter) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let delta = o.mu - self.mu;
        let n = self.n + o.n;
        self.mu += delta * o.n as f64 / n as f64;
        self.m2 += o.m2 + delta * delta * self.n as f64 * o.n as f64 / n as f64;
        self.n = n;
        self.max = self.max.max(o.max);
        self.min = self.min.min(o.min);
    }
    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mu }
    }
    /// Sum.
    pub fn sum(&self) -> f64 {
        self.n as f64 * self.mu
    }
    /// Largest value.
    pub fn max(&self) -> f64 {
        self.max
    }
    /// Smallest value.
    pub fn min(&self) -> f64 {
        self.min
    }
    /// Population variance.
    pub fn variance(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.m2 / self.n as f64
        }
    }
    /// Sample variance (divides by n - 1).
    pub fn sample_variance(&self) -> f64 {
        if self.n <= 1 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
    /// Population standard deviation.
    pub fn stdev(&self) -> f64 {
        self.variance().sqrt()
    }
    /// Sample standard deviation.
    pub fn sample_stdev(&self) -> f64 {
        self.sample_variance().sqrt()
    }
}

impl std::fmt::Display for StatCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "(count: {}, mean: {}, stdev: {}, max: {}, min: {})",
            self.n,
            self.mean(),
            self.stdev(),
            self.max,
            self.min
        )
    }
}

impl<T: Numeric> Rdd<T> {
    /// The sum (0 for an empty RDD).
    #[track_caller]
    pub fn sum(&self) -> Result<T> {
        let parts = self.run_all("sum", Location::caller(), |it| {
            it.map(|c| c.into_iter().sum::<T>()).sum::<T>()
        })?;
        Ok(parts.into_iter().sum())
    }

    /// Count, mean, variance, min and max in one job.
    #[track_caller]
    pub fn stats(&self) -> Result<StatCounter> {
        let parts = self.run_all("stats", Location::caller(), |it| {
            let mut s = StatCounter::default();
            for c in it {
                for x in c {
                    s.push(x.as_f64());
                }
            }
            s
        })?;
        let mut total = StatCounter::default();
        for p in &parts {
            total.merge(p);
        }
        Ok(total)
    }

    /// The mean (NaN for an empty RDD, as Spark).
    #[track_caller]
    pub fn mean(&self) -> Result<f64> {
        Ok(self.stats()?.mean())
    }

    /// Population variance.
    #[track_caller]
    pub fn variance(&self) -> Result<f64> {
        Ok(self.stats()?.variance())
    }

    /// Population standard deviation.
    #[track_caller]
    pub fn stdev(&self) -> Result<f64> {
        Ok(self.stats()?.stdev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_merge_matches_direct() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut a = StatCounter::default();
        let mut b = StatCounter::default();
        for x in &xs[..3] {
            a.push(*x);
        }
        for x in &xs[3..] {
            b.push(*x);
        }
        a.merge(&b);
        assert_eq!(a.count(), 8);
        assert!((a.mean() - 5.0).abs() < 1e-12);
        assert!((a.stdev() - 2.0).abs() < 1e-12);
        assert_eq!((a.min(), a.max()), (2.0, 9.0));
    }
}
