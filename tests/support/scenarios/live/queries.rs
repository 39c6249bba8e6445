//! Live group `queries`.

use crate::scenarios::Scenario;

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[];
