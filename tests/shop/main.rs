//! The shopper's side through the real host and components: catalog, cart and checkout,
//! the money an order costs, orders and their access, stock, payments against a fake Stripe,
//! discount codes and the outbox's emails. One binary, so the components are built and the
//! test processes linked once for all of them; each area is a module.

#[path = "../support/mod.rs"]
mod support;

mod account_retention;
mod accounts;
mod catalog;
mod catalog_keyset;
mod catalog_model;
mod checkout;
mod checkout_money;
mod discount_guessing;
mod idempotency_retention;
mod languages;
mod order_access;
mod order_changes;
mod orders;
mod outbox;
mod payments;
mod returns;
mod search_engines;
mod shop_pages;
mod stock;
mod variant_choice;
