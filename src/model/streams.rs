//! Synchronised random streams (common random numbers).
//!
//! Every random draw of the model comes from a stream keyed by (run seed, mechanism, entity,
//! month). The draws one agent makes in one mechanism in one month therefore do not depend on how
//! many draws other agents, other mechanisms or earlier months made: two scenarios run on the same
//! seed face the same luck wherever their states agree, and a difference between them is caused by
//! the policy (ODD §7.0). A stream is a SplitMix64 sequence started at a hash of its key — cheap
//! enough to open one per agent and month, and stable across releases of `rand` (CRAFT.md).
//!
//! Entity keys must not shift when other entities appear: firms and households carry a `key`
//! built from the month they were created, their origin and their rank among that month's
//! newcomers of the same origin (see [`newcomer_key`]).

use super::detmath::DetMath;
use rand::{Rng, TryRng};
use std::convert::Infallible;

/// The mechanisms that draw random numbers; each has its own family of streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Draw {
    InitialFirm = 1,
    InitialWorker,
    InitialOrder,
    /// A household's traits when it is created (skill, children).
    Birth,
    ProspectCount,
    /// Projects under way at the start, by (lag, sector).
    InitialProject,
    /// A prospect's size and location choice.
    Prospect,
    Abandon,
    Stalled,
    Innovation,
    /// A firm's own fixed cost of technical upgrading (drawn once: month 0).
    UpgradeCost,
    Relocation,
    IpoCount,
    DemandShock,
    Separation,
    Search,
    SearchOrder,
    Training,
    Settlement,
    Departure,
    ArrivalCount,
    ResidenceReview,
    Residence,
    Displacement,
    IdleResale,
    /// Whether a migrant worker's employer pays its social insurance (drawn once: month 0).
    Insured,
}

/// splitmix64 finaliser: a bijective mix of 64 bits.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Number of stream families ([`Draw`] values are 1-based).
const FAMILIES: usize = Draw::Insured as usize + 1;

/// Opens streams for one run.
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    seed: u64,
    /// The month whose family keys are precomputed, and those keys
    /// (`seed ^ mix64(draw << 40 ^ month)`): an agent's stream then costs one hash of its key,
    /// not two. Opening a stream gives the same key either way.
    month: u32,
    family: [u64; FAMILIES],
}

impl Streams {
    pub fn new(seed: u64) -> Streams {
        let mut streams = Streams {
            seed: mix64(seed),
            month: 0,
            family: [0; FAMILIES],
        };
        streams.set_month(0);
        streams
    }

    /// Precomputes the family keys of `month` (the simulation calls it at the start of a month).
    pub fn set_month(&mut self, month: u32) {
        self.month = month;
        for (draw, key) in self.family.iter_mut().enumerate() {
            *key = self.seed ^ mix64((draw as u64) << 40 ^ u64::from(month));
        }
    }

    /// The stream of `draw` for `entity` in `month`.
    #[inline]
    pub fn open(&self, draw: Draw, entity: u64, month: u32) -> Stream {
        let family = if month == self.month {
            self.family[draw as usize]
        } else {
            self.seed ^ mix64((draw as u64) << 40 ^ u64::from(month))
        };
        Stream {
            state: mix64(family ^ mix64(entity)),
        }
    }
}

/// One keyed stream of random numbers (SplitMix64).
#[derive(Debug, Clone)]
pub struct Stream {
    state: u64,
}

impl Stream {
    /// A uniform draw in [0, 1) with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (p ≤ 0: never; p ≥ 1: always; NaN: never). Always consumes
    /// exactly one draw, so later draws of the stream keep their meaning.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform index in `0..n` (n > 0), by Lemire's multiply-shift (bias < n / 2⁶⁴).
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// The `j`-th uniform draw of the stream (0-based) without advancing it: for draws that
    /// belong to a fixed slot (e.g. one taste shock per district and tenure).
    #[inline]
    pub fn at(&self, j: u64) -> f64 {
        let mut copy = Stream {
            state: self
                .state
                .wrapping_add(j.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        };
        copy.unit()
    }

    /// A standard Gumbel draw (the logit's error term).
    #[inline]
    pub fn gumbel(&mut self) -> f64 {
        gumbel_of(self.unit())
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|v| (v >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// The standard Gumbel variate of a uniform draw `u` (inverse transform).
#[inline]
pub fn gumbel_of(u: f64) -> f64 {
    -(-(u.max(1e-300)).dln()).dln()
}

/// Where a newcomer comes from; part of its stream key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Source {
    InitialFirm = 1,
    InitialWorker,
    Prospect,
    /// A project under way at the start (approval or construction in 2015).
    InitialProject,
    RuralArrival,
    MigrantLow,
    MigrantMid,
    MigrantHigh,
    CityArrival,
    LandlessFarmer,
}

/// Stream key of the `rank`-th newcomer from `source` (within `group`, e.g. a sector) in `month`:
/// the k-th rural arrival of May 2020 has the same key in every scenario, whatever happened to
/// other newcomers.
pub fn newcomer_key(source: Source, month: u32, group: u32, rank: u32) -> u64 {
    ((source as u64) << 56)
        ^ (u64::from(month) << 36)
        ^ (u64::from(group & 0xFF) << 28)
        ^ u64::from(rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_precomputed_month_opens_the_same_streams() {
        let cold = Streams::new(11);
        let mut warm = cold;
        warm.set_month(37);
        for draw in [Draw::InitialFirm, Draw::Search, Draw::IdleResale] {
            for entity in [0, 5, u64::MAX] {
                let (mut a, mut b) = (cold.open(draw, entity, 37), warm.open(draw, entity, 37));
                assert_eq!(a.next_u64(), b.next_u64());
                // And a month that is not the precomputed one still works.
                assert_eq!(
                    cold.open(draw, entity, 2).unit(),
                    warm.open(draw, entity, 2).unit()
                );
            }
        }
    }

    #[test]
    fn streams_with_different_keys_differ_and_the_same_key_repeats() {
        let s = Streams::new(7);
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.open(Draw::Search, 1, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.open(Draw::Search, 1, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        let mut c = s.open(Draw::Search, 2, 3);
        let mut d = s.open(Draw::Search, 1, 4);
        let mut e = s.open(Draw::Separation, 1, 3);
        assert_ne!(a[0], c.next_u64());
        assert_ne!(a[0], d.next_u64());
        assert_ne!(a[0], e.next_u64());
        assert_ne!(Streams::new(8).open(Draw::Search, 1, 3).next_u64(), a[0]);
    }

    #[test]
    fn unit_draws_are_uniform() {
        let s = Streams::new(1);
        let n = 200_000;
        let (mut sum, mut sq) = (0.0, 0.0);
        for i in 0..n {
            let u = s.open(Draw::Residence, i, 0).unit();
            assert!((0.0..1.0).contains(&u));
            sum += u;
            sq += u * u;
        }
        let mean = sum / n as f64;
        let var = sq / n as f64 - mean * mean;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "variance {var}");
    }

    #[test]
    fn index_covers_its_range_evenly() {
        let mut r = Streams::new(3).open(Draw::Search, 0, 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[r.index(7)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_400..10_600).contains(&c)),
            "{counts:?}"
        );
    }
}
