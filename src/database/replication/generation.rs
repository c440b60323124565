//! Generations: the fencing token of replication.
//!
//! A writer process that starts replicating (and one whose shipping broke off) claims the
//! next generation number by creating `claims/<n>.json` with a create-once put
//! (`If-None-Match: *`): of two writers racing for `n`, one gets it and the other takes
//! `n + 1`. Everything it ships goes under `generations/<n>/`. A writer that sees the
//! claim of `n + 1` while it ships `n` has been deposed (another writer owns the shop's
//! data now, e.g. one started on a volume restored after this one's was lost): it ships
//! nothing more and takes no more commands. Its segments that were still on their way
//! are not used past the successor's claim time by [`super::restore`].

use super::layout::{self, Listed};
use crate::object_bucket::Bucket;
use anyhow::{Context, Result, bail};
use object_store::{PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

/// What a claim says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    pub generation: u64,
    /// µs since 1970.
    pub claimed_at_us: i64,
    pub host: String,
    pub pid: u32,
    pub version: String,
}

/// The claims in the bucket, oldest first.
pub async fn claims(bucket: &Bucket) -> Result<Vec<u64>> {
    let mut out: Vec<u64> = bucket
        .list(layout::CLAIMS)
        .await?
        .iter()
        .filter_map(
            |meta| match layout::parse(bucket.name_of(meta.location.as_ref())) {
                Some(Listed::Claim(n)) => Some(n),
                _ => None,
            },
        )
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// Reads one claim.
pub async fn read(bucket: &Bucket, generation: u64) -> Result<Claim> {
    let key = bucket.path(&layout::claim(generation));
    let bytes = bucket.get(key.as_ref()).await?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a claim", bucket.url_of(key.as_ref())))
}

/// Claims the first free generation after every one in the bucket.
pub async fn claim_next(bucket: &Bucket) -> Result<Claim> {
    let mut next = claims(bucket).await?.last().map_or(1, |n| n + 1);
    for _ in 0..16 {
        layout::check_generation(next)?;
        let claim = Claim {
            generation: next,
            claimed_at_us: super::now_us(),
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        };
        let key = bucket.path(&layout::claim(next));
        let body = PutPayload::from(serde_json::to_vec(&claim)?);
        match bucket
            .store
            .put_opts(&key, body, PutOptions::from(PutMode::Create))
            .await
        {
            Ok(_) => return Ok(claim),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => next += 1,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot claim generation {next} in {}", bucket.url())
                });
            }
        }
    }
    bail!(
        "could not claim a replication generation in {}: other writers keep claiming them",
        bucket.url()
    )
}

/// Whether a successor claimed the generation after `generation`.
pub async fn succeeded(bucket: &Bucket, generation: u64) -> Result<bool> {
    let key = bucket.path(&layout::claim(generation + 1));
    match bucket.store.head(&key).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", bucket.url_of(key.as_ref()))),
    }
}
