//! What the services keep between requests, one set per process ([`Caches`]): timelines
//! computed for case pages, and caseload pages with their counts.
//!
//! Everything kept is keyed by something read from the database in the same snapshot as the
//! data it stands for, so a cached answer is the answer the database would give now, with one
//! server or several over one PostgreSQL database (each server keeps its own; a change made on
//! one is a miss on the others, never a stale page):
//!
//! - a timeline is a pure function of the case's effective events and the as-of date, and every
//!   change to a case's events gives it a new version (the optimistic-concurrency counter), so
//!   timelines are kept by case id, version and as-of date;
//! - a caseload page (its cases and counts) is kept by the filter, order and page asked for and
//!   the database's change counter (migration 0011), which triggers move on every change to a
//!   case or its summary row, in the change's own transaction;
//! - the data-quality check of every case is kept by the change counter and the day, read before
//!   the cases are, so that what is kept is never older than its key.
//!
//! Both are bounded: two generations of at most [`TimelineCache::GENERATION`] timelines, and at
//! most [`CaseloadCache::SIZE`] caseload pages, all of one counter value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tandem_core::{CaseFile, Date, Timeline, timeline};
use tandem_store::{CaseFilter, CaseId, CasePage, CaseSort, CaseloadCount, Page};

/// The caches one process's services share: make one with `Caches::default()` and pass it to
/// every [`super::Services`] (`with_caches`).
#[derive(Debug, Default)]
pub struct Caches {
    /// Timelines of case pages.
    pub timelines: TimelineCache,
    /// Caseload pages and their counts.
    pub caseloads: CaseloadCache,
    /// Every case checked against the statutory returns' rules.
    pub data_quality: KeptAtChange<Vec<crate::returns::ReturnCase>>,
}

/// One value computed at one value of the change counter on one day; a change or a new day is a
/// miss, and the value computed then replaces it.
#[derive(Debug)]
pub struct KeptAtChange<T> {
    kept: Mutex<Option<(i64, Date, Arc<T>)>>,
}

impl<T> Default for KeptAtChange<T> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(None),
        }
    }
}

impl<T> KeptAtChange<T> {
    /// The value kept for counter value `changes` on `day`, if it is the one kept.
    pub(crate) fn get(&self, changes: i64, day: Date) -> Option<Arc<T>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|(c, d, _)| *c == changes && *d == day)
            .map(|(_, _, value)| value.clone())
    }

    /// Keeps `value`, computed at counter value `changes` on `day`, unless a later one is kept.
    pub(crate) fn put(&self, changes: i64, day: Date, value: Arc<T>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept
            .as_ref()
            .is_none_or(|(c, d, _)| (*d, *c) <= (day, changes))
        {
            *kept = Some((changes, day, value));
        }
    }
}

/// One caseload page with the per-manager counts beside it.
type KeptCaseload = Arc<(Vec<CaseloadCount>, CasePage)>;

/// Caseload pages and their counts, computed at one value of the change counter.
#[derive(Debug, Default)]
pub struct CaseloadCache {
    kept: Mutex<(i64, HashMap<String, KeptCaseload>)>,
}

impl CaseloadCache {
    /// Pages kept at most (of one counter value: a change drops them all).
    pub const SIZE: usize = 512;

    fn key(filter: &CaseFilter, sort: CaseSort, page: Page) -> String {
        format!("{filter:?}|{sort:?}|{page:?}")
    }

    /// The counts and page for `filter`, `sort` and `page` computed at counter value `changes`.
    pub(crate) fn get(
        &self,
        changes: i64,
        filter: &CaseFilter,
        sort: CaseSort,
        page: Page,
    ) -> Option<KeptCaseload> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.0 != changes {
            return None;
        }
        kept.1.get(&Self::key(filter, sort, page)).cloned()
    }

    /// Keeps what was computed at counter value `changes` (older values are dropped; a value
    /// older than the one kept is not kept).
    pub(crate) fn put(
        &self,
        changes: i64,
        filter: &CaseFilter,
        sort: CaseSort,
        page: Page,
        found: KeptCaseload,
    ) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if changes < kept.0 {
            return;
        }
        if changes > kept.0 || kept.1.len() >= Self::SIZE {
            kept.1.clear();
            kept.0 = changes;
        }
        kept.1.insert(Self::key(filter, sort, page), found);
    }
}

/// What a timeline is kept under: the case, its version, and the day it was computed as of.
type Key = (CaseId, i64, Date);

/// Timelines of the cases read most recently (see the module's documentation).
#[derive(Debug, Default)]
pub struct TimelineCache {
    generations: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<Key, Arc<Timeline>>,
    previous: HashMap<Key, Arc<Timeline>>,
}

impl TimelineCache {
    /// Entries a generation holds before it becomes the previous one (and the previous one is
    /// dropped): at most twice this many timelines are kept.
    pub const GENERATION: usize = 2_048;

    /// The timeline of case `id` at `version` as of `as_of`, computed once from the case file
    /// `case` gives (asked for only then).
    pub fn get_or_compute(
        &self,
        id: CaseId,
        version: i64,
        case: impl FnOnce() -> CaseFile,
        as_of: Date,
    ) -> Arc<Timeline> {
        let key = (id, version, as_of);
        if let Some(found) = self.get(key) {
            return found;
        }
        let computed = Arc::new(timeline::compute(&case(), as_of));
        let mut generations = self.lock();
        if generations.current.len() >= Self::GENERATION {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations.current.insert(key, computed.clone());
        computed
    }

    fn get(&self, key: Key) -> Option<Arc<Timeline>> {
        let mut generations = self.lock();
        if let Some(found) = generations.current.get(&key) {
            return Some(found.clone());
        }
        // Read again: kept into the current generation.
        let found = generations.previous.remove(&key)?;
        generations.current.insert(key, found.clone());
        Some(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.generations.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many timelines are kept (for tests).
    pub fn len(&self) -> usize {
        let generations = self.lock();
        generations.current.len() + generations.previous.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::{AssessOutcome, Child, Event, EventDetail, Reference};

    fn case(events: Vec<Event>) -> CaseFile {
        CaseFile {
            reference: Reference::parse("TL-1").expect("a reference"),
            child: Child::default(),
            events,
            request: Default::default(),
        }
    }

    fn day(d: u32) -> Date {
        Date::from_ymd_opt(2026, 3, d).expect("a date")
    }

    #[test]
    fn a_new_version_or_date_is_computed_afresh_and_the_same_one_is_kept() {
        let cache = TimelineCache::default();
        let requested = case(vec![Event {
            date: day(2),
            detail: EventDetail::RequestReceived,
        }]);
        let first = cache.get_or_compute(1, 1, || requested.clone(), day(20));
        assert_eq!(*first, timeline::compute(&requested, day(20)));
        let again = cache.get_or_compute(1, 1, || requested.clone(), day(20));
        assert!(Arc::ptr_eq(&first, &again));

        let mut decided = requested.clone();
        decided.events.push(Event {
            date: day(10),
            detail: EventDetail::DecisionToAssess {
                outcome: AssessOutcome::Assess,
            },
        });
        let next = cache.get_or_compute(1, 2, || decided.clone(), day(20));
        assert_eq!(*next, timeline::compute(&decided, day(20)));
        assert_ne!(*next, *first);
        let later = cache.get_or_compute(1, 2, || decided.clone(), day(25));
        assert_eq!(*later, timeline::compute(&decided, day(25)));
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn it_holds_at_most_two_generations() {
        let cache = TimelineCache::default();
        let requested = case(vec![Event {
            date: day(2),
            detail: EventDetail::RequestReceived,
        }]);
        let n = i64::try_from(TimelineCache::GENERATION * 3).expect("small");
        for id in 0..n {
            cache.get_or_compute(id, 1, || requested.clone(), day(20));
        }
        assert!(cache.len() <= TimelineCache::GENERATION * 2);
        assert!(!cache.is_empty());
    }
}
