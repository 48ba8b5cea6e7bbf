//! The performance dashboard over a whole caseload, and the lists of cases behind its figures.
//!
//! Both read the cases once, one at a time, keeping only totals (the dashboard) or the page of
//! names asked for (a drill-down), so memory does not grow with the number of cases. Keeping the
//! references behind every figure in the first pass would cost one entry per case for each of
//! the ~40 figures a case can count in (tens of megabytes at a million cases) for lists nobody
//! may open; the drill-down is instead a second, filtered pass with the same functions that
//! added the totals up ([`DashboardSpec::includes`]), so a list always agrees with its figure.
//!
//! [`read_dashboard`] and [`read_cases_behind`] are the services over the store: they check the
//! caller's permission, stream the cases ([`Store::assigned_case_files`]) and write one audit
//! entry for the read.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::dashboard::{
    CaseGroups, Dashboard, DashboardSpec, Figure, PseudonymKey, WeeksTaken, pseudonym,
};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::messages::ReplyTimes;
use tandem_core::targets::Targets;
use tandem_core::{Action, CaseFile, Date, Resource, Timeline, can, timeline};
use tandem_store::{AuditEntry, CaseHeader, CaseId, Store};

use crate::services::{Caller, ServiceError, denied};

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

impl Naming {
    /// How `caller` may see the cases behind a figure: references for those who may list cases,
    /// pseudonyms for those who may see pseudonymised lists only, otherwise not at all.
    pub fn for_caller(caller: &Caller, key: &PseudonymKey) -> Option<Self> {
        let allowed = |action| can(&caller.actor, action, Resource::Service);
        if allowed(Action::ListCases) {
            Some(Self::References)
        } else if allowed(Action::ViewPseudonymisedList) {
            Some(Self::Pseudonyms(key.clone()))
        } else {
            None
        }
    }

    /// The counts this naming's tables leave out ([`tandem_core::disclosure`]): none for
    /// those who may open the cases behind them, the area's `configured` threshold for those
    /// who see pseudonyms only.
    pub fn small_numbers(&self, configured: SmallNumbers) -> SmallNumbers {
        match self {
            Self::References => SmallNumbers::SHOWN,
            Self::Pseudonyms(_) => configured,
        }
    }

    fn as_str(&self) -> &'static str {
        match self {
            Self::References => "references",
            Self::Pseudonyms(_) => "pseudonyms",
        }
    }
}

/// One page of the cases behind a figure, and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct CasesBehind {
    /// The page of cases: by reference in the order the cases were read, or by pseudonym in
    /// sorted order (so that a list reveals nothing of the order cases were recorded in).
    pub cases: Vec<BehindCase>,
    /// How many cases are behind the figure in all, across every page.
    pub total: u64,
}

/// One case behind a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct BehindCase {
    /// Its reference, or its pseudonym.
    pub name: String,
    /// The child's name, for those who may open the case (never with pseudonyms).
    pub child: Option<String>,
    /// How long it has taken towards the final plan, and whether it missed 20 weeks.
    pub taken: WeeksTaken,
}

/// The cases behind one figure, gathered one case at a time.
#[derive(Debug)]
pub(crate) struct Drilldown<'a> {
    spec: DashboardSpec,
    figure: &'a Figure,
    naming: &'a Naming,
    late_only: bool,
    skip: u64,
    limit: usize,
    found: CasesBehind,
}

impl<'a> Drilldown<'a> {
    /// Keeps matching cases `skip` to `skip + limit` (only those that missed 20 weeks, with
    /// `late_only`). With pseudonyms every matching case is gathered and sorted before paging,
    /// so their number must be bounded by the figure itself (a figure is a count the dashboard
    /// already shows).
    pub(crate) fn new(
        spec: DashboardSpec,
        figure: &'a Figure,
        naming: &'a Naming,
        late_only: bool,
        (skip, limit): (u64, usize),
    ) -> Self {
        Self {
            spec,
            figure,
            naming,
            late_only,
            skip,
            limit,
            found: CasesBehind {
                cases: Vec::new(),
                total: 0,
            },
        }
    }

    /// Counts `case` if the figure includes it, keeping its name if it falls in the page.
    pub(crate) fn add(&mut self, case: &CaseFile, case_manager: Option<&str>) {
        let timeline = timeline::compute(case, self.spec.as_of);
        let groups = CaseGroups::of(case, case_manager);
        if !self.spec.includes(&timeline, &groups, self.figure) {
            return;
        }
        let taken = WeeksTaken::of(&timeline, CaseGroups::requested(case));
        if self.late_only && !taken.late {
            return;
        }
        let index = self.found.total;
        self.found.total += 1;
        match self.naming {
            Naming::References => {
                if index >= self.skip && self.found.cases.len() < self.limit {
                    self.found.cases.push(BehindCase {
                        name: case.reference.to_string(),
                        child: child_name(case),
                        taken,
                    });
                }
            }
            Naming::Pseudonyms(key) => self.found.cases.push(BehindCase {
                name: pseudonym(key, &case.reference),
                child: None,
                taken,
            }),
        }
    }

    /// The page of names asked for and the total.
    pub(crate) fn finish(mut self) -> CasesBehind {
        if matches!(self.naming, Naming::Pseudonyms(_)) {
            self.found
                .cases
                .sort_unstable_by(|a, b| a.name.cmp(&b.name));
            let skip = usize::try_from(self.skip).unwrap_or(usize::MAX);
            self.found.cases = self
                .found
                .cases
                .into_iter()
                .skip(skip)
                .take(self.limit)
                .collect();
        }
        self.found
    }
}

/// The child's given and family names, when the case records either.
fn child_name(case: &CaseFile) -> Option<String> {
    let name: Vec<&str> = ["given_name", "family_name"]
        .iter()
        .filter_map(|field| case.child.other.get(*field)?.as_str())
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    (!name.is_empty()).then(|| name.join(" "))
}

/// The cases behind `figure` (only those that missed 20 weeks, with `late_only`), page
/// `(skip, limit)`, in one pass over the same cases the dashboard was built from.
pub fn cases_behind<I>(
    cases: I,
    spec: DashboardSpec,
    figure: &Figure,
    naming: &Naming,
    late_only: bool,
    page: (u64, usize),
) -> CasesBehind
where
    I: IntoIterator<Item = (CaseFile, Option<String>)>,
{
    let mut drilldown = Drilldown::new(spec, figure, naming, late_only, page);
    for (case, manager) in cases {
        drilldown.add(&case, manager.as_deref());
    }
    drilldown.finish()
}

/// Refuses `action` unless the caller may do it, auditing the refusal.
async fn authorise(store: &Store, caller: &Caller, action: Action) -> Result<(), ServiceError> {
    if can(&caller.actor, action, Resource::Service) {
        return Ok(());
    }
    store.audit(&denied(caller, action)).await?;
    Err(ServiceError::Forbidden)
}

/// Dashboards already computed, each with the [`Store::cases_version`] it was computed at: a
/// dashboard is kept until any case changes, so the page, its downloads and the board report
/// for one period read the cases once between changes. Holds the few most recent.
///
/// Under the dashboards, each case's timeline as at a date, kept by case id with the case's
/// version ([`Contributions`]): a dashboard for another period, or after a few cases changed,
/// reads the cases' versions and groups (no histories) and recomputes only the timelines of cases
/// whose version moved. Keyed by versions read from the database, both stay right with several
/// servers over one PostgreSQL database: a server sees another's change as a new version.
#[derive(Debug, Default)]
pub struct DashboardCache {
    entries: Mutex<VecDeque<(CasesVersion, Arc<Dashboard>)>>,
    /// Held while a dashboard is computed: requests arriving meanwhile wait for it and take the
    /// cached result, rather than each reading every case at once and starving the pool.
    computing: tokio::sync::Mutex<()>,
    contributions: Mutex<Contributions>,
}

/// Each case's timeline as at one date (without its words: [`Timeline::figures_only`]) and its
/// first request's date, with the case version they were computed from; and the case headers
/// read with them, with the version of the cases they were read at.
#[derive(Debug, Default)]
struct Contributions {
    as_of: Option<Date>,
    cases: Arc<Kept>,
    headers: Option<(CasesVersion, Arc<Vec<CaseHeader>>)>,
}

impl Contributions {
    /// Every case's header and contribution, when nothing has changed since they were kept
    /// (the cases are still at `version`) and they were computed as at `as_of`: a new period
    /// of the same day is then an aggregate over memory, without reading the database.
    fn unchanged(
        &self,
        version: CasesVersion,
        as_of: Date,
    ) -> Option<(Arc<Vec<CaseHeader>>, Arc<Kept>)> {
        let (kept_version, headers) = self.headers.as_ref()?;
        if *kept_version != version || self.as_of != Some(as_of) {
            return None;
        }
        Some((headers.clone(), self.cases.clone()))
    }
}

/// Each case's contribution, by case.
type Kept = HashMap<CaseId, Arc<Contribution>>;

#[derive(Debug)]
struct Contribution {
    version: i64,
    timeline: Timeline,
    requested: Option<Date>,
}

/// Above this many changed cases, their histories are read in one pass over every case rather
/// than by id.
const READ_BY_ID: usize = 2_000;

/// Stores with more cases than this are not kept in memory: each dashboard reads them all.
const MAX_KEPT: usize = 250_000;

/// What [`Store::cases_version`] returns.
type CasesVersion = i64;

impl DashboardCache {
    /// Dashboards kept.
    pub const SIZE: usize = 8;

    /// The date every case's contribution is kept for ([`prepare`], or the last dashboard
    /// computed), if any.
    pub fn prepared_for(&self) -> Option<Date> {
        self.contributions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_of
    }

    fn get(
        &self,
        version: CasesVersion,
        spec: &DashboardSpec,
        targets: &Targets,
    ) -> Option<Arc<Dashboard>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(v, d)| *v == version && d.spec == *spec && d.targets == *targets)
            .map(|(_, d)| d.clone())
    }

    fn put(&self, version: CasesVersion, dashboard: &Arc<Dashboard>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Older versions can never be asked for again.
        entries.retain(|(v, _)| *v == version);
        if entries.len() == Self::SIZE {
            entries.pop_front();
        }
        entries.push_back((version, dashboard.clone()));
    }
}

/// Computes a dashboard missing from `cache`, one computation at a time; a request that waited
/// finds the result of the one before it in the cache.
async fn compute_once(
    store: &Store,
    cache: &DashboardCache,
    version: CasesVersion,
    spec: DashboardSpec,
    targets: Targets,
) -> Result<Arc<Dashboard>, ServiceError> {
    let _computing = cache.computing.lock().await;
    if let Some(dashboard) = cache.get(version, &spec, &targets) {
        return Ok(dashboard);
    }
    let mut dashboard = Dashboard::new(spec, targets);
    match contributions(store, cache, version, spec.as_of).await? {
        Some((headers, kept)) => add_up(&mut dashboard, &headers, &kept),
        None => {
            let mut cases = std::pin::pin!(store.assigned_case_files());
            while let Some((case, manager)) = cases.try_next().await? {
                dashboard.add_case(&case, manager.as_deref());
            }
        }
    }
    let dashboard = Arc::new(dashboard);
    cache.put(version, &dashboard);
    Ok(dashboard)
}

/// Works out, before anyone asks, every case's contribution to the dashboards as at `as_of`
/// (today's date, for the server to call when it starts and when the day changes), so that
/// the first dashboard of the day is an aggregate over memory like any other rather than a
/// pass over every case. Nothing is shown to anyone, so nothing is audited.
pub async fn prepare(
    store: &Store,
    cache: &DashboardCache,
    as_of: Date,
) -> Result<(), ServiceError> {
    let _computing = cache.computing.lock().await;
    let version = store.cases_version().await?;
    contributions(store, cache, version, as_of).await?;
    Ok(())
}

/// Every case's header and contribution as at `as_of`, with the cases at `version` (or newer),
/// kept in `cache` for the next dashboard: from memory when nothing has changed; otherwise the
/// headers read again and only the cases changed since (or all, on a new date) read and
/// computed. `None` for a store too large to keep ([`MAX_KEPT`]), whose dashboards read every
/// case each time. Called with `cache.computing` held.
async fn contributions(
    store: &Store,
    cache: &DashboardCache,
    version: CasesVersion,
    as_of: Date,
) -> Result<Option<(Arc<Vec<CaseHeader>>, Arc<Kept>)>, ServiceError> {
    let unchanged = cache
        .contributions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unchanged(version, as_of);
    if unchanged.is_some() {
        return Ok(unchanged);
    }
    let mut read = store.begin_snapshot().await?;
    let headers = read.case_headers().await?;
    if headers.len() > MAX_KEPT {
        return Ok(None);
    }
    // The timelines kept for this date whose case has not changed since.
    let mut kept: Kept = {
        let contributions = cache
            .contributions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if contributions.as_of == Some(as_of) {
            headers
                .iter()
                .filter_map(|h| {
                    let c = contributions.cases.get(&h.id)?;
                    (c.version == h.version).then(|| (h.id, c.clone()))
                })
                .collect()
        } else {
            HashMap::new()
        }
    };
    let changed: Vec<CaseId> = headers
        .iter()
        .filter(|h| !kept.contains_key(&h.id))
        .map(|h| h.id)
        .collect();
    let mut add = |id: CaseId, version: i64, case: &CaseFile| {
        let contribution = Contribution {
            version,
            timeline: timeline::compute(case, as_of).figures_only(),
            requested: CaseGroups::requested(case),
        };
        kept.insert(id, Arc::new(contribution));
    };
    if changed.len() <= READ_BY_ID {
        for (id, version, (case, _)) in read.versioned_case_files(&changed).await? {
            add(id, version, &case);
        }
    } else {
        let mut after = 0;
        loop {
            let page = read.versioned_case_files_after(after).await?;
            let Some((last, _, _)) = page.last() else {
                break;
            };
            after = *last;
            for (id, version, (case, _)) in page {
                add(id, version, &case);
            }
        }
    }
    drop(read);
    // Read after the version (a change made meanwhile gives a newer version next time), the
    // headers are at least as new as `version`: kept for it, they are used only while the
    // cases are still at it.
    let (headers, kept) = (Arc::new(headers), Arc::new(kept));
    *cache
        .contributions
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Contributions {
        as_of: Some(as_of),
        cases: kept.clone(),
        headers: Some((version, headers.clone())),
    };
    Ok(Some((headers, kept)))
}

/// Adds each case of `headers` to `dashboard`, with its contribution in `kept`.
fn add_up(dashboard: &mut Dashboard, headers: &[CaseHeader], kept: &Kept) {
    for header in headers {
        if let Some(c) = kept.get(&header.id) {
            let groups =
                CaseGroups::new(&header.child, header.case_manager.as_deref(), c.requested);
            dashboard.add(&c.timeline, &groups);
        }
    }
}

/// The dashboard over every case in the store, for a caller who may see aggregates: one pass
/// over the cases (or the copy in `cache`, while no case has changed), and one audit entry
/// (`view_dashboard`) for the aggregate read either way.
pub async fn read_dashboard(
    store: &Store,
    caller: &Caller,
    spec: DashboardSpec,
    targets: Targets,
    cache: &DashboardCache,
) -> Result<Arc<Dashboard>, ServiceError> {
    authorise(store, caller, Action::ViewAggregates).await?;
    // Read before the cases: a change made while they are read gives a newer version next time.
    let version = store.cases_version().await?;
    let dashboard = match cache.get(version, &spec, &targets) {
        Some(dashboard) => dashboard,
        None => compute_once(store, cache, version, spec, targets).await?,
    };
    // Shown only once the read is audited (with the other reads of the moment).
    store
        .audit_read(
            AuditEntry::new(Some(caller.actor.id), "view_dashboard").detail(caller.detail(json!({
                "period_start": spec.period.start,
                "period_end": spec.period.end,
                "as_of": spec.as_of,
                "cases": dashboard.headline.cases,
            }))),
            chrono::Utc::now(),
        )
        .await?;
    Ok(dashboard)
}

/// How the council answered the messages received in the dashboard's period, as at its date,
/// for a caller who may see aggregates (counts only: nothing to audit beyond the dashboard).
pub async fn read_reply_times(
    store: &Store,
    caller: &Caller,
    spec: &DashboardSpec,
) -> Result<ReplyTimes, ServiceError> {
    authorise(store, caller, Action::ViewAggregates).await?;
    Ok(store
        .reply_times(spec.period.start, spec.period.end, spec.as_of)
        .await?)
}

/// One page `(skip, limit)` of the cases behind `figure` (only those that missed 20 weeks, with
/// `late_only`), named as the caller may see them ([`Naming::for_caller`]: with the child's
/// name for those who may open the cases), for a caller who may see aggregates. Audited once
/// (`view_cases_behind`) with the figure, the filter, how the cases were named and how many
/// there were; never the names themselves. A list of pseudonyms shorter than the `small`
/// threshold is not given at all (its length would be the hidden count): `total` says how many
/// and `cases` is empty.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one drill-down, each distinct"
)]
pub async fn read_cases_behind(
    store: &Store,
    caller: &Caller,
    spec: DashboardSpec,
    figure: &Figure,
    key: &PseudonymKey,
    small: SmallNumbers,
    late_only: bool,
    page: (u64, usize),
) -> Result<(CasesBehind, Naming), ServiceError> {
    authorise(store, caller, Action::ViewAggregates).await?;
    let Some(naming) = Naming::for_caller(caller, key) else {
        authorise(store, caller, Action::ViewPseudonymisedList).await?;
        return Err(ServiceError::Forbidden);
    };
    let mut drilldown = Drilldown::new(spec, figure, &naming, late_only, page);
    let mut cases = std::pin::pin!(store.assigned_case_files());
    while let Some((case, manager)) = cases.try_next().await? {
        drilldown.add(&case, manager.as_deref());
    }
    let mut found = drilldown.finish();
    if naming.small_numbers(small).hides(found.total) {
        found.cases.clear();
    }
    store
        .audit(
            &AuditEntry::new(Some(caller.actor.id), "view_cases_behind").detail(caller.detail(
                json!({
                    "figure": figure,
                    "period_start": spec.period.start,
                    "period_end": spec.period.end,
                    "as_of": spec.as_of,
                    "naming": naming.as_str(),
                    "late_only": late_only,
                    "total": found.total,
                }),
            )),
        )
        .await?;
    Ok((found, naming))
}
