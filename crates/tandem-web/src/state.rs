//! What every handler shares: the store, the configuration and the clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tandem_app::reports::{self, DashboardCache};
use tandem_app::services::Store;
use tandem_app::services::{Caches, Services};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::WebConfig;
use crate::pages::dashboard::FiguresCache;
use crate::single_sign_on::Provider;

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
    caches: Arc<Caches>,
    figures: FiguresCache,
    password_checks: Arc<Semaphore>,
    single_sign_on: Option<Provider>,
    content_security_policy: axum::http::HeaderValue,
}

impl AppState {
    /// State that reads the system clock.
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self::with_clock(store, config, Arc::new(Utc::now))
    }

    /// State that reads the time from `clock` instead, so tests can move time on.
    pub fn with_clock(store: Store, config: WebConfig, clock: Clock) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                password_checks: Arc::new(Semaphore::new(config.password_checks.max(1))),
                content_security_policy: crate::security::content_security_policy(
                    config
                        .single_sign_on
                        .as_ref()
                        .map(|s| s.origin())
                        .as_deref(),
                ),
                single_sign_on: config.single_sign_on.clone().map(Provider::new),
                config,
                clock,
                dashboards: DashboardCache::default(),
                caches: Arc::new(Caches::default()),
                figures: FiguresCache::default(),
            }),
        }
    }

    /// The case store every handler reads and writes.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings the application was started with.
    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    /// A permit to check a password, held until it is dropped, or `None` when
    /// [`WebConfig::password_checks`] are running already.
    pub fn password_check(&self) -> Option<OwnedSemaphorePermit> {
        self.inner.password_checks.clone().try_acquire_owned().ok()
    }

    /// The `Content-Security-Policy` of every response (`security::content_security_policy`).
    pub(crate) fn content_security_policy(&self) -> &axum::http::HeaderValue {
        &self.inner.content_security_policy
    }

    /// The organisation's identity provider, when single sign-on is configured.
    pub(crate) fn single_sign_on(&self) -> Option<&Provider> {
        self.inner.single_sign_on.as_ref()
    }

    /// Discovers the single sign-on provider now rather than at the first sign-in, so that a
    /// wrong setting shows at start-up: `None` without single sign-on, otherwise what failed.
    pub async fn check_single_sign_on(&self) -> Option<Result<(), String>> {
        let provider = self.single_sign_on()?;
        Some(provider.client().await.map(|_| ()))
    }

    /// Dashboards computed since the cases last changed.
    pub(crate) fn dashboards(&self) -> &DashboardCache {
        &self.inner.dashboards
    }

    /// Runs for as long as the server does: when it starts, and again each time the date
    /// changes in England, works out every case's contribution to today's dashboards
    /// ([`reports::prepare`]), so that nobody waits for the day's first pass over every case.
    /// A failure is logged and tried again a minute later.
    pub async fn prepare_dashboards_daily(self) {
        let mut minute = tokio::time::interval(std::time::Duration::from_secs(60));
        // Once a day, even if someone then reads a dashboard as at another date.
        let mut prepared_on = None;
        loop {
            minute.tick().await;
            let today = self.today();
            if prepared_on == Some(today) {
                continue;
            }
            match reports::prepare(self.store(), self.dashboards(), today).await {
                Ok(()) => {
                    prepared_on = Some(today);
                    tracing::info!("dashboards prepared for the day");
                }
                Err(error) => tracing::error!(%error, "preparing the dashboards failed"),
            }
        }
    }

    /// The dashboards' charts and tables drawn for the dashboards in [`Self::dashboards`].
    pub(crate) fn dashboard_figures(&self) -> &FiguresCache {
        &self.inner.figures
    }

    /// The current time, by this state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)()
    }

    /// The case services over this store, reading the same clock.
    pub fn services(&self) -> Services {
        Services::with_clock(self.inner.store.clone(), self.inner.clock.clone())
            .with_caches(self.inner.caches.clone())
            .with_advice_access_days(self.inner.config.advice_access_days)
            .with_reply_working_days(self.inner.config.reply_working_days)
            .with_document_max_bytes(self.inner.config.document_max_bytes)
            .with_public_url(&self.inner.config.public_url)
            .with_plan_sign_off(self.inner.config.plan_sign_off)
            .with_reference_pattern(self.inner.config.reference_pattern.clone())
    }

    /// Today's date in England, by this state's clock.
    pub fn today(&self) -> tandem_core::Date {
        tandem_core::dates::england_date(self.now())
    }
}
