//! The one idempotent command runner. A command carries an `Idempotency-Key`; its first
//! answer is recorded with a fingerprint of the command (a hash of its canonical form) in
//! the command's journal table, in the command's own write transaction. The same key with
//! the same command replays the recorded answer with `idempotent-replayed: true`; with
//! another command it is 422 `idempotency_key_reused`. A refused command rolls back and
//! records nothing.
//!
//! [`run`] is the whole runner for the owner's shop commands (catalog, settings, checkout
//! settings), recorded in `catalog_history` with what changed. The commands whose answer
//! lives in a table of their own use its parts ([`key`], [`fingerprint`],
//! [`Journal::recorded`], [`Journal::replay`]) inside their own transaction:
//! - order commands (`order_commands`, [`Journal::ORDER_COMMANDS`]): the key is optional;
//! - placing an order (`idempotency_keys`, [`Journal::ORDERS`]): the answer carries the
//!   shopper's personal data, so it is replayed only to the client that placed the order
//!   ([`Holder::Client`]: another client is 409 `idempotency_key_in_use`), and a replay
//!   of an invalid request is 422 like any other command; the answer is kept for a
//!   while, then only its fingerprint ([`retention`]: a retry then is 409
//!   `order_already_placed`, naming the order);
//! - stock adjustments (`stock_adjustments`, [`Journal::STOCK`]): the recorded
//!   adjustment row is the answer;
//! - refunds (`refunds`): a repeat answers the refund as it stands now (200, not a
//!   replay of the first 201), since the provider may have reported on it meanwhile; see
//!   `payments::refunds`.

pub mod retention;

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::Header;
use crate::http::responses::{ApiError, json_text};
use sha2::{Digest, Sha256};
use spin_sdk::http::Response;
use storefront_domain::{IDEMPOTENT_REPLAYED, MAX_IDEMPOTENCY_KEY_LEN};

/// The `Idempotency-Key` header of a command (named in the error): 1..=255 visible ASCII
/// characters, else 400.
pub fn key(header: &Header, command: &str) -> Result<String, ApiError> {
    match header {
        Header::One(v)
            if (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&v.len())
                && v.iter().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(String::from_utf8_lossy(v).into_owned())
        }
        _ => Err(ApiError::new(
            400,
            "missing_idempotency_key",
            format!(
                "{command} needs one Idempotency-Key header of 1 to \
                 {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
            ),
        )),
    }
}

/// Hex SHA-256 of a command's canonical form.
pub fn fingerprint(canonical: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(canonical))
}

/// Where a kind of command records its answers, and what its 422 says.
pub struct Journal {
    /// Reads `fingerprint, status, response, NULL` by key, for the journals that hold
    /// their answers as text; `None` for those whose owner reads them ([`Journal::ORDERS`],
    /// [`Journal::STOCK`]).
    select: Option<&'static str>,
    /// The 422's message when the key was used for another command.
    reused: &'static str,
}

/// An earlier answer given under a key.
pub struct Recorded {
    pub fingerprint: String,
    pub status: u16,
    pub response: String,
    /// The client that placed the order ([`Journal::ORDERS`] only).
    pub client: Option<String>,
    /// The order placed ([`Journal::ORDERS`] only), named when the answer itself is no
    /// longer kept ([`retention`]).
    pub number: Option<String>,
}

/// Who may hear a recorded answer again.
pub enum Holder<'a> {
    Anyone,
    /// Only the client that placed the order (`None`: a command naming no client); the
    /// answer holds the order's personal data and its access token.
    Client(Option<&'a str>),
}

impl Journal {
    /// Refunds; a repeat is answered by `payments::refunds` (see the module comment).
    pub const REFUNDS: Journal = Journal {
        select: None,
        reused: "this Idempotency-Key was used for another refund",
    };
    /// The owner's shop commands (catalog, settings, checkout settings).
    pub const SHOP: Journal = Journal {
        select: Some(
            "SELECT fingerprint, status, response, NULL FROM catalog_history \
             WHERE idempotency_key = ?",
        ),
        reused: "this Idempotency-Key was already used for another catalog command; \
                 use a new key for a new command",
    };
    /// Order commands (ship, cancel).
    pub const ORDER_COMMANDS: Journal = Journal {
        select: Some(
            "SELECT fingerprint, status, response, NULL FROM order_commands \
             WHERE idempotency_key = ?",
        ),
        reused: "this Idempotency-Key was already used for another order command; use a new \
                 key for a new command",
    };
    /// The customers' commands (sign-in, addresses, erasure), `customers::commands`.
    pub const CUSTOMERS: Journal = Journal {
        select: Some(
            "SELECT fingerprint, status, response, NULL FROM customer_commands \
             WHERE idempotency_key = ?",
        ),
        reused: "this Idempotency-Key was already used for another customer command; use \
                 a new key for a new command",
    };
    /// Placing an order; its answers are read with the order's client by
    /// `orders::place` (one read that also gives the time).
    pub const ORDERS: Journal = Journal {
        select: None,
        reused: "this Idempotency-Key was already used for a different order; \
                 use a new key for a new order",
    };
    /// Stock adjustments; the answer is the recorded adjustment, read by `orders::stock`.
    pub const STOCK: Journal = Journal {
        select: None,
        reused: "this Idempotency-Key was already used for another stock adjustment; \
                 use a new key for a new adjustment",
    };

    /// The answer recorded under `key`, if any.
    pub fn recorded(&self, db: &Db, key: &str) -> anyhow::Result<Option<Recorded>> {
        let select = self
            .select
            .ok_or_else(|| anyhow::anyhow!("this journal's answers are read by its owner"))?;
        db.row(select, &[text(key)])?
            .map(|row| {
                Ok(Recorded {
                    fingerprint: row.text(0)?,
                    status: u16::try_from(row.int(1)?)?,
                    response: row.text(2)?,
                    client: row.opt_text(3)?,
                    number: None,
                })
            })
            .transpose()
    }

    /// The recorded answer again, marked as a replay, if `holder` may hear it and
    /// `fingerprint` (`None`: a request that does not validate) is the recorded command's.
    pub fn replay(
        &self,
        recorded: Recorded,
        fingerprint: Option<&str>,
        holder: Holder,
    ) -> Result<Response, ApiError> {
        if let Holder::Client(client) = holder
            && recorded.client.as_deref() != client
        {
            return Err(ApiError::new(
                409,
                "idempotency_key_in_use",
                "this Idempotency-Key belongs to another client's order; \
                 use a new key for a new order",
            ));
        }
        if fingerprint != Some(recorded.fingerprint.as_str()) {
            return Err(self.reused());
        }
        if recorded.response.is_empty() {
            // Compacted after its retention: the order stands, its answer is gone.
            return Err(ApiError::new(
                409,
                "order_already_placed",
                format!(
                    "this order was already placed as {} with this Idempotency-Key; its \
                     full answer is no longer kept. Look the order up by its number",
                    recorded.number.as_deref().unwrap_or("an earlier order")
                ),
            ));
        }
        let mut response = json_text(recorded.status, recorded.response);
        response.set_header(IDEMPOTENT_REPLAYED, "true");
        Ok(response)
    }

    /// 422 `idempotency_key_reused`.
    pub fn reused(&self) -> ApiError {
        ApiError::new(422, "idempotency_key_reused", self.reused)
    }
}

/// The actor recorded when a command names none.
pub const DEFAULT_ACTOR: &str = "admin-token";
/// Longest actor name, in bytes.
pub const MAX_ACTOR: usize = 100;

/// Who and what: the command's name, its target and its canonical form (for the
/// fingerprint), as read from the request.
pub struct Command<'a> {
    pub name: &'static str,
    pub target: &'a str,
    /// The command's arguments in a canonical form (re-serialised JSON, or the image's
    /// hash with its query), so the same command typed differently is the same command.
    pub canonical: String,
}

impl<'a> Command<'a> {
    pub fn new(name: &'static str, target: &'a str, canonical: String) -> Command<'a> {
        Command {
            name,
            target,
            canonical,
        }
    }
}

/// What an applied command answers and records.
pub struct Applied {
    pub status: u16,
    /// The answer's JSON text.
    pub response: String,
    /// What changed, for the history.
    pub changes: serde_json::Value,
}

/// The `storefront-actor` header: visible ASCII and spaces, 1..=[`MAX_ACTOR`] bytes.
pub fn actor(header: &Header) -> Result<String, ApiError> {
    match header {
        Header::Missing => Ok(DEFAULT_ACTOR.to_string()),
        Header::One(v)
            if (1..=MAX_ACTOR).contains(&v.len())
                && v.iter().all(|b| b.is_ascii_graphic() || *b == b' ') =>
        {
            Ok(String::from_utf8_lossy(v).trim().to_string())
        }
        _ => Err(ApiError::new(
            400,
            "invalid_actor",
            format!(
                "the storefront-actor header must be one value of 1 to {MAX_ACTOR} visible \
                 ASCII characters"
            ),
        )),
    }
}

/// Runs `apply` as the command `command` in one write transaction, or replays the answer
/// recorded under the same key.
pub fn run(
    db: &Db,
    key: &Header,
    actor_header: &Header,
    command: Command,
    apply: impl FnOnce(&Db, &str) -> Result<Applied, ApiError>,
) -> Result<Response, ApiError> {
    let key = self::key(key, "a catalog command")?;
    let actor = actor(actor_header)?;
    let fingerprint = fingerprint(format!(
        "{}\n{}\n{}",
        command.name, command.target, command.canonical
    ));
    db.transaction(Mode::Write, |db| {
        if let Some(recorded) = Journal::SHOP.recorded(db, &key)? {
            return Journal::SHOP.replay(recorded, Some(&fingerprint), Holder::Anyone);
        }
        let now = db.now()?;
        let applied = apply(db, &now)?;
        db.execute(
            "INSERT INTO catalog_history (idempotency_key, fingerprint, command, target, actor, \
             changes, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                text(&key),
                text(&fingerprint),
                text(command.name),
                text(command.target),
                text(&actor),
                text(applied.changes.to_string()),
                int(i64::from(applied.status)),
                text(&applied.response),
                text(&now),
            ],
        )?;
        Ok(json_text(applied.status, applied.response))
    })
}
