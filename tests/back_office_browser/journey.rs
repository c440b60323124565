//! Back-office scenarios: journey (being built).

use crate::Scenario;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![]
}
