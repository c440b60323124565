//! The dispatcher's outcomes on their way to the writer: a round reports them in batches
//! (`POST /outbox/results`, one writer call and one transaction for many messages) rather
//! than one call each. A batch goes when [`REPORT_BATCH`] outcomes wait, when they carry
//! [`REPORT_BATCH_BYTES`] (a local mail travels whole), or when the claim's deliveries are
//! all done, so no outcome waits long behind slow receivers (a lease lasts minutes). The
//! writer's answer per message counts into the round as its single report's did.

use super::{MAX_RESULT_LINES, Round};
use crate::writer::{WriterClient, WriterError};
use storefront_domain::ErrorBody;
use storefront_domain::outbox::{DeliveryReports, MessageOutcome, Outcome, ReportResult};

/// Outcomes reported in one writer call, at most.
pub const REPORT_BATCH: usize = 16;
/// Bytes of outcomes (mostly local mails) that send a batch before it is full: half the
/// writer's cap for a batch (1 MiB), leaving room for JSON's escapes.
pub const REPORT_BATCH_BYTES: usize = 512 * 1024;
/// A reported outcome's bytes besides its texts (message id, field names), about.
const ENTRY_BYTES: usize = 128;

/// Delivered messages whose outcomes the writer has not heard yet, with their result lines.
#[derive(Default)]
pub struct Pending {
    results: Vec<MessageOutcome>,
    /// Each one's result line, and whether it was delivered.
    lines: Vec<(String, bool)>,
    bytes: usize,
}

impl Pending {
    /// One delivery's outcome and its result line, to report.
    pub fn push(&mut self, line: String, result: MessageOutcome) {
        self.bytes += ENTRY_BYTES
            + result.message_id.len()
            + match &result.outcome {
                Outcome::Delivered { local: None } => 0,
                Outcome::Delivered { local: Some(mail) } => {
                    mail.subject.len() + mail.text.len() + mail.html.len()
                }
                Outcome::Failed { error, .. } => error.len(),
            };
        let delivered = matches!(result.outcome, Outcome::Delivered { .. });
        self.lines.push((line, delivered));
        self.results.push(result);
    }

    /// Whether a batch is due now, before the claim's deliveries are all done.
    pub fn is_full(&self) -> bool {
        self.results.len() >= REPORT_BATCH || self.bytes >= REPORT_BATCH_BYTES
    }

    /// Reports what waits (if anything) as `dispatcher` and counts the answers into
    /// `round`: delivered or failed as recorded, `lease_lost` when another dispatcher holds
    /// the message now. A writer error, or a message the writer does not know (as the
    /// single report's 404 did), ends the round.
    pub async fn report(
        &mut self,
        writer: &WriterClient,
        dispatcher: &str,
        round: &mut Round,
    ) -> Result<(), WriterError> {
        if self.results.is_empty() {
            return Ok(());
        }
        let reports = DeliveryReports {
            dispatcher: dispatcher.to_string(),
            results: std::mem::take(&mut self.results),
        };
        self.bytes = 0;
        let answers = writer.report_messages(&reports).await?;
        if answers.results.len() != reports.results.len() {
            eprintln!(
                "outbox: the writer answered {} results to {} reports",
                answers.results.len(),
                reports.results.len()
            );
            return Err(WriterError::Broken);
        }
        for ((line, delivered), answer) in self.lines.drain(..).zip(answers.results) {
            match answer {
                ReportResult::Recorded(_) if delivered => round.delivered += 1,
                ReportResult::Recorded(_) => round.failed += 1,
                ReportResult::LeaseLost { .. } => round.lease_lost += 1,
                ReportResult::NotFound { message_id } => {
                    return Err(WriterError::Rejected {
                        status: 404,
                        body: ErrorBody::new("not_found", format!("no message {message_id}")),
                    });
                }
            }
            if round.results.len() < MAX_RESULT_LINES {
                round.results.push(line);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::outbox::LocalMail;

    fn outcome(id: usize, outcome: Outcome) -> MessageOutcome {
        MessageOutcome {
            message_id: format!("msg_{id}"),
            outcome,
        }
    }

    #[test]
    fn a_batch_is_due_at_report_batch_outcomes() {
        let mut pending = Pending::default();
        for i in 0..REPORT_BATCH {
            assert!(!pending.is_full(), "{i}");
            pending.push(
                format!("line {i}"),
                outcome(i, Outcome::Delivered { local: None }),
            );
        }
        assert!(pending.is_full());
    }

    #[test]
    fn large_local_mails_send_a_batch_before_it_is_full() {
        let mut pending = Pending::default();
        let mail = || Outcome::Delivered {
            local: Some(LocalMail {
                subject: "Your order".into(),
                text: "t".repeat(REPORT_BATCH_BYTES / 8),
                html: "h".repeat(REPORT_BATCH_BYTES / 8),
            }),
        };
        for i in 0..3 {
            pending.push(format!("line {i}"), outcome(i, mail()));
            assert!(!pending.is_full(), "{i}");
        }
        pending.push("line 3".into(), outcome(3, mail()));
        assert!(pending.is_full(), "4 of a quarter of the bytes each");
    }
}
