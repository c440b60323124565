//! Back-office scenarios: orders (being built).

use crate::Scenario;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![]
}
