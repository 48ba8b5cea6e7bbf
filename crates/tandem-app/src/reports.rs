//! The performance dashboard over a whole caseload, and the lists of cases behind its figures.
//!
//! Both read the cases once, one at a time, keeping only totals (the dashboard) or the page of
//! names asked for (a drill-down), so memory does not grow with the number of cases. Keeping the
//! references behind every figure in the first pass would cost one entry per case for each of
//! the ~40 figures a case can count in (tens of megabytes at a million cases) for lists nobody
//! may open; the drill-down is instead a second, filtered pass with the same functions that
//! added the totals up ([`DashboardSpec::includes`]), so a list always agrees with its figure.
//!
//! Callers holding an async stream (the store's `case_files`) drive [`Dashboard::add_case`] and
//! [`Drilldown::add`] themselves, one item at a time.

use tandem_core::CaseFile;
use tandem_core::dashboard::{
    CaseGroups, Dashboard, DashboardSpec, Figure, PseudonymKey, pseudonym,
};
use tandem_core::targets::Targets;
use tandem_core::timeline;

/// Builds the dashboard for `spec` in one pass over `(case, case manager)` pairs.
pub fn dashboard<I>(cases: I, spec: DashboardSpec, targets: Targets) -> Dashboard
where
    I: IntoIterator<Item = (CaseFile, Option<String>)>,
{
    let mut dashboard = Dashboard::new(spec, targets);
    for (case, manager) in cases {
        dashboard.add_case(&case, manager.as_deref());
    }
    dashboard
}

/// How a list of cases names them.
#[derive(Debug, Clone)]
pub enum Naming {
    /// Case references, for those allowed to open the cases.
    References,
    /// Keyed pseudonyms, for analysts who may count cases but not identify them.
    Pseudonyms(PseudonymKey),
}

/// One page of the cases behind a figure, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasesBehind {
    /// References in the order the cases were read, or pseudonyms in sorted order (so that a
    /// list reveals nothing of the order cases were recorded in).
    pub names: Vec<String>,
    pub total: u64,
}

/// The cases behind one figure, gathered one case at a time.
#[derive(Debug)]
pub struct Drilldown<'a> {
    spec: DashboardSpec,
    figure: &'a Figure,
    naming: &'a Naming,
    skip: u64,
    limit: usize,
    found: CasesBehind,
}

impl<'a> Drilldown<'a> {
    /// Keeps the names of matching cases `skip` to `skip + limit`. With pseudonyms every
    /// matching name is gathered and sorted before paging, so their number must be bounded
    /// by the figure itself (a figure is a count the dashboard already shows).
    pub fn new(
        spec: DashboardSpec,
        figure: &'a Figure,
        naming: &'a Naming,
        skip: u64,
        limit: usize,
    ) -> Self {
        Self {
            spec,
            figure,
            naming,
            skip,
            limit,
            found: CasesBehind {
                names: Vec::new(),
                total: 0,
            },
        }
    }

    pub fn add(&mut self, case: &CaseFile, case_manager: Option<&str>) {
        let timeline = timeline::compute(case, self.spec.as_of);
        let groups = CaseGroups::of(case, case_manager);
        if !self.spec.includes(&timeline, &groups, self.figure) {
            return;
        }
        let index = self.found.total;
        self.found.total += 1;
        match self.naming {
            Naming::References => {
                if index >= self.skip && self.found.names.len() < self.limit {
                    self.found.names.push(case.reference.to_string());
                }
            }
            Naming::Pseudonyms(key) => self.found.names.push(pseudonym(key, &case.reference)),
        }
    }

    pub fn finish(mut self) -> CasesBehind {
        if matches!(self.naming, Naming::Pseudonyms(_)) {
            self.found.names.sort_unstable();
            let skip = usize::try_from(self.skip).unwrap_or(usize::MAX);
            self.found.names = self
                .found
                .names
                .into_iter()
                .skip(skip)
                .take(self.limit)
                .collect();
        }
        self.found
    }
}

/// The cases behind `figure`, in one pass over the same cases the dashboard was built from.
pub fn cases_behind<I>(
    cases: I,
    spec: DashboardSpec,
    figure: &Figure,
    naming: &Naming,
    skip: u64,
    limit: usize,
) -> CasesBehind
where
    I: IntoIterator<Item = (CaseFile, Option<String>)>,
{
    let mut drilldown = Drilldown::new(spec, figure, naming, skip, limit);
    for (case, manager) in cases {
        drilldown.add(&case, manager.as_deref());
    }
    drilldown.finish()
}
