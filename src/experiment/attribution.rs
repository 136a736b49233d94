//! Which lever of a package does what: each lever alone over the reference, and the package
//! without each lever, on common random numbers (`compare --attribute PACKAGE`).
//!
//! A lever's *alone-effect* is (reference + the lever) − reference; its *marginal contribution*
//! is package − (package without the lever). The package's total effect minus the sum of the
//! alone-effects is the *interaction remainder*: what the levers do together beyond their sum.

use super::compare::Estimate;
use crate::scenario::levers::{LEVERS, LeverKey};
use crate::scenario::{Scenario, ScenarioError, Setting};

/// A lever on which a package departs from the reference, with the keys where it does.
#[derive(Debug, Clone)]
pub struct PackageLever {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub report_ids: &'static str,
    /// `policy.<field>`, or `policy.investment.<district>.<field>` for each district that differs.
    pub keys: Vec<String>,
}

/// The levers of the catalogue whose values (timed or not) differ between `package` and
/// `reference`, in catalogue order.
pub fn package_levers(reference: &Scenario, package: &Scenario) -> Vec<PackageLever> {
    LEVERS
        .iter()
        .filter_map(|lever| {
            let candidates: Vec<String> = match lever.key {
                LeverKey::Policy(field) => vec![format!("policy.{field}")],
                LeverKey::Investment(field) => reference
                    .spec()
                    .districts
                    .keys()
                    .map(|d| format!("policy.investment.{d}.{field}"))
                    .collect(),
            };
            let keys: Vec<String> = candidates
                .into_iter()
                .filter(|k| {
                    package.value_at(k).is_some() && package.value_at(k) != reference.value_at(k)
                })
                .collect();
            (!keys.is_empty()).then_some(PackageLever {
                id: lever.id,
                name_zh: lever.name_zh,
                name_en: lever.name_en,
                report_ids: lever.report_ids,
                keys,
            })
        })
        .collect()
}

/// `to` with the lever's keys set to the values `from` holds there.
fn with_lever_of(
    to: &Scenario,
    from: &Scenario,
    lever: &PackageLever,
) -> Result<Scenario, ScenarioError> {
    let values: Vec<(String, Setting)> = lever
        .keys
        .iter()
        .filter_map(|k| {
            from.value_at(k)
                .map(|v| (k.clone(), Setting::Value(v.clone())))
        })
        .collect();
    to.with_values(&values)
}

/// For each lever: the reference with the lever alone, and the package without it.
pub fn arms(
    reference: &Scenario,
    package: &Scenario,
    levers: &[PackageLever],
) -> Result<Vec<(Scenario, Scenario)>, ScenarioError> {
    levers
        .iter()
        .map(|lever| {
            Ok((
                with_lever_of(reference, package, lever)?,
                with_lever_of(package, reference, lever)?,
            ))
        })
        .collect()
}

/// One indicator in one period: the package's total effect, each lever's alone-effect and
/// marginal contribution, and the interaction remainder, all paired over replications.
#[derive(Debug, Clone)]
pub struct Decomposition {
    pub total: Estimate,
    /// Per lever: (alone-effect, marginal contribution).
    pub levers: Vec<(Estimate, Estimate)>,
    /// Total minus the sum of the alone-effects, per replication.
    pub interaction: Estimate,
}

/// The decomposition of one value from per-replication samples: `reference[r]`, `package[r]`,
/// and per lever `alone[k][r]` and `without[k][r]`.
pub fn decompose(
    reference: &[f64],
    package: &[f64],
    alone: &[Vec<f64>],
    without: &[Vec<f64>],
) -> Decomposition {
    let total = Estimate::paired(package, reference, 0.95);
    let levers = alone
        .iter()
        .zip(without)
        .map(|(a, w)| {
            (
                Estimate::paired(a, reference, 0.95),
                Estimate::paired(package, w, 0.95),
            )
        })
        .collect();
    let remainder: Vec<f64> = (0..reference.len())
        .map(|r| {
            let sum_alone: f64 = alone.iter().map(|a| a[r] - reference[r]).sum();
            (package[r] - reference[r]) - sum_alone
        })
        .collect();
    Decomposition {
        total,
        levers,
        interaction: Estimate::of(&remainder, 0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two additive levers: alone-effects and marginal contributions agree and sum to the
    /// total, with no interaction; a complementary pair leaves a positive remainder.
    #[test]
    fn additive_levers_leave_no_interaction_and_complements_do() {
        let reference = [10.0, 11.0, 9.0];
        let a = [12.0, 13.0, 11.0]; // +2
        let b = [13.0, 14.0, 12.0]; // +3
        let package = [15.0, 16.0, 14.0]; // +5 = 2 + 3
        let without_a = b;
        let without_b = a;
        let d = decompose(
            &reference,
            &package,
            &[a.to_vec(), b.to_vec()],
            &[without_a.to_vec(), without_b.to_vec()],
        );
        assert!((d.total.mean - 5.0).abs() < 1e-12);
        assert!(
            (d.levers[0].0.mean - 2.0).abs() < 1e-12 && (d.levers[0].1.mean - 2.0).abs() < 1e-12
        );
        assert!(
            (d.levers[1].0.mean - 3.0).abs() < 1e-12 && (d.levers[1].1.mean - 3.0).abs() < 1e-12
        );
        assert!(d.interaction.mean.abs() < 1e-12);
        let together = [18.0, 19.0, 17.0]; // +8: 3 more than the sum
        let d = decompose(
            &reference,
            &together,
            &[a.to_vec(), b.to_vec()],
            &[b.to_vec(), a.to_vec()],
        );
        assert!((d.interaction.mean - 3.0).abs() < 1e-12);
        assert!(
            (d.levers[0].1.mean - 5.0).abs() < 1e-12,
            "marginal of a = 18 - 13"
        );
    }

    #[test]
    fn a_package_is_split_into_the_levers_it_moves() {
        let reference = crate::scenario::load_builtin().expect("baseline");
        let package = reference
            .with_overrides(&[
                ("policy.approval_months".into(), 3.0),
                ("policy.investment.zone.roads_cny_per_year".into(), 3e8),
            ])
            .expect("package");
        let levers = package_levers(&reference, &package);
        let ids: Vec<&str> = levers.iter().map(|l| l.id).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        let roads = levers
            .iter()
            .find(|l| l.keys[0].contains("roads"))
            .expect("roads");
        assert_eq!(roads.keys, ["policy.investment.zone.roads_cny_per_year"]);
        let arms = arms(&reference, &package, &levers).expect("arms");
        for (lever, (alone, without)) in levers.iter().zip(&arms) {
            for key in &lever.keys {
                assert_eq!(alone.value_at(key), package.value_at(key));
                assert_eq!(without.value_at(key), reference.value_at(key));
            }
        }
        // Alone with one lever, the other stays at the reference.
        assert_eq!(
            arms[0].0.value_at(&levers[1].keys[0]),
            reference.value_at(&levers[1].keys[0])
        );
    }
}
