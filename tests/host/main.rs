//! The host itself, whatever app it runs: Spin conformance, the manifest deciding roles,
//! owning the data dir, migrations, group commit, the answer cache, instances kept between requests, hot reload, start-up
//! errors, storage faults (damaged files, full disks), the shop's public origin, the
//! operator listener, audit and backups (local and off-site), Spin's key-value store beside
//! the shop (roles, durability, carried by backups), every file the host writes
//! written atomically. One binary; each concern is
//! a module.

#[path = "../support/mod.rs"]
mod support;

mod answer_cache;
mod atomic_writes;
mod audit_backup;
mod conformance;
mod conformance_key_value3;
mod conformance_routes;
mod group_commit;
mod hot_reload;
mod instance_reuse;
mod key_value;
mod manifest_decides;
mod migrations;
mod offsite_backup;
mod operator;
mod ownership;
mod replication;
mod shop_url;
mod startup_errors;
mod storage_faults;
