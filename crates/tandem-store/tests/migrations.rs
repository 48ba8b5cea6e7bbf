//! Both backends' migration folders must move in step: the same version numbers, embedded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::path::Path;

use tandem_store::{Backend, migration_versions};

fn versions_in(folder: &str) -> BTreeSet<i64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(folder);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let name = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8");
            assert!(name.ends_with(".sql"), "{folder}/{name}: only .sql files");
            let version = name.split('_').next().expect("version prefix");
            version
                .parse()
                .unwrap_or_else(|_| panic!("{folder}/{name}: must start with a version number"))
        })
        .collect()
}

#[test]
fn both_migration_folders_list_the_same_versions() {
    let sqlite = versions_in("sqlite");
    let postgres = versions_in("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    let embedded_sqlite: BTreeSet<i64> = migration_versions(Backend::Sqlite).into_iter().collect();
    let embedded_postgres: BTreeSet<i64> =
        migration_versions(Backend::Postgres).into_iter().collect();
    assert_eq!(embedded_sqlite, sqlite, "rebuild after adding a migration");
    assert_eq!(embedded_postgres, postgres);
}
