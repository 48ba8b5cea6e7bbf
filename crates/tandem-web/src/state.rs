//! What every handler shares: the store, the configuration and the clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tandem_app::reports::DashboardCache;
use tandem_app::services::Services;
use tandem_app::services::Store;

use crate::config::WebConfig;

/// Where handlers read the time from. Tests replace it to move time on (session expiry).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The application's shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: WebConfig,
    clock: Clock,
    dashboards: DashboardCache,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self::with_clock(store, config, Arc::new(Utc::now))
    }

    pub fn with_clock(store: Store, config: WebConfig, clock: Clock) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                clock,
                dashboards: DashboardCache::default(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    /// Dashboards computed since the cases last changed.
    pub(crate) fn dashboards(&self) -> &DashboardCache {
        &self.inner.dashboards
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)()
    }

    /// The case services over this store, reading the same clock.
    pub fn services(&self) -> Services {
        Services::with_clock(self.inner.store.clone(), self.inner.clock.clone())
    }

    /// Today's date in England, by this state's clock.
    pub fn today(&self) -> tandem_core::Date {
        tandem_core::dates::england_date(self.now())
    }
}
