//! The worker households in columns: one array per field, so that each monthly pass streams only
//! the fields it reads (a residents count reads 4 bytes of the 52 an agent holds, the separation
//! pass 13). Rows ([`Worker`]) are for building a household and for code that is not hot.

use super::agents::{NO_FIRM, Origin, Waiting, Worker};
use super::world::Tenure;

/// Every worker household of the run, one column per field of [`Worker`]. Index `i` is the
/// same household in every column.
#[derive(Debug, Clone, Default)]
pub struct Households {
    /// Key of the household's random streams ([`super::streams::newcomer_key`]).
    pub key: Vec<u64>,
    pub skill: Vec<u8>,
    pub origin: Vec<Origin>,
    /// District the household lives in.
    pub residence: Vec<u16>,
    /// The cluster zone whose labour market the household looks to when it has no job.
    pub anchor: Vec<u16>,
    pub tenure: Vec<Tenure>,
    /// Firm index of the employer, or [`NO_FIRM`].
    pub employer: Vec<u32>,
    pub wage: Vec<f64>,
    pub reservation: Vec<f64>,
    pub months_unemployed: Vec<u16>,
    pub months_employed: Vec<u16>,
    pub settled: Vec<bool>,
    pub children: Vec<u8>,
    pub children_with: Vec<bool>,
    /// Months of training left (0 = not in training).
    pub training_left: Vec<u8>,
    /// Firm that ordered the course, or [`NO_FIRM`].
    pub ordered_by: Vec<u32>,
    /// Set when something happened that makes the household reconsider where it lives.
    pub review_residence: Vec<bool>,
    /// Place on a public rental waiting list ([`Waiting::NONE`] if none).
    pub waiting: Vec<Waiting>,
}

/// Applies one macro to every column name (the one list of them, so that `push`, `swap_remove`
/// and `reserve` cannot forget one).
macro_rules! columns {
    ($m:ident) => {
        $m!(
            key,
            skill,
            origin,
            residence,
            anchor,
            tenure,
            employer,
            wage,
            reservation,
            months_unemployed,
            months_employed,
            settled,
            children,
            children_with,
            training_left,
            ordered_by,
            review_residence,
            waiting
        )
    };
}

impl Households {
    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// Adds a household at the end; returns its index.
    pub fn push(&mut self, w: Worker) -> usize {
        macro_rules! push {
            ($($c:ident),*) => { $( self.$c.push(w.$c); )* };
        }
        columns!(push);
        self.key.len() - 1
    }

    /// Removes household `i`, moving the last one into its place (as `Vec::swap_remove`).
    pub fn swap_remove(&mut self, i: usize) -> Worker {
        macro_rules! take {
            ($($c:ident),*) => { Worker { $( $c: self.$c.swap_remove(i), )* } };
        }
        columns!(take)
    }

    /// Household `i` as a row (a copy).
    pub fn row(&self, i: usize) -> Worker {
        macro_rules! get {
            ($($c:ident),*) => { Worker { $( $c: self.$c[i], )* } };
        }
        columns!(get)
    }

    /// Every household as a row, in index order (for code that is not on the hot path).
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Worker> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }

    /// The district household `i` lives in.
    #[inline]
    pub fn home(&self, i: usize) -> usize {
        usize::from(self.residence[i])
    }

    #[inline]
    pub fn is_employed(&self, i: usize) -> bool {
        self.employer[i] != NO_FIRM
    }

    #[inline]
    pub fn in_training(&self, i: usize) -> bool {
        self.training_left[i] > 0
    }

    /// Bytes the columns hold per household (the fields of [`Worker`] without padding).
    pub fn bytes_per_household() -> usize {
        fn element<T>(_: &Vec<T>) -> usize {
            std::mem::size_of::<T>()
        }
        let empty = Households::default();
        macro_rules! sum {
            ($($c:ident),*) => { 0 $( + element(&empty.$c) )* };
        }
        columns!(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(key: u64, residence: u16) -> Worker {
        Worker {
            key,
            skill: 1,
            origin: Origin::Migrant,
            residence,
            anchor: 0,
            tenure: Tenure::Market,
            employer: NO_FIRM,
            wage: 0.0,
            reservation: 100.0,
            months_unemployed: 0,
            months_employed: 0,
            settled: false,
            children: 2,
            children_with: true,
            training_left: 0,
            ordered_by: NO_FIRM,
            review_residence: false,
            waiting: Waiting::NONE,
        }
    }

    #[test]
    fn rows_round_trip_and_swap_remove_moves_the_last() {
        let mut hh = Households::default();
        for k in 0..4 {
            assert_eq!(hh.push(worker(k, k as u16)), k as usize);
        }
        let removed = hh.swap_remove(1);
        assert_eq!(removed.key, 1);
        assert_eq!(hh.len(), 3);
        assert_eq!(hh.row(1).key, 3);
        assert_eq!(hh.home(1), 3);
        assert_eq!(hh.rows().map(|w| w.key).collect::<Vec<_>>(), vec![0, 3, 2]);
    }

    /// Every pass streams columns: the bytes per household bound the memory per agent.
    #[test]
    fn a_household_is_52_bytes_of_columns() {
        assert_eq!(Households::bytes_per_household(), 52);
    }
}
