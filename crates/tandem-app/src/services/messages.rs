//! The communications log: families and services write to the council about a case, staff
//! answer and record calls, emails, letters and meetings, and the duty manager sees every
//! message still waiting for a reply, oldest first.

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_core::messages::{Channel, Direction, reply_due};
use tandem_core::notifications::{self, Audience};
use tandem_core::{Action, CaseAccess, Reference, Resource, can};
use tandem_store::{AuditEntry, MessageRecord, NewMessage, StoredCase, Tx};

use super::cases::finish;
use super::{Caller, FieldError, ServiceError, Services, authorise_service};

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 5_000;

/// A contact staff record: a call, email, letter or meeting, either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    /// To the council or from it.
    pub direction: Direction,
    /// How it travelled (not [`Channel::Portal`]: portal messages are written, not recorded).
    pub channel: Channel,
    /// Who it was with ("Mother, by phone").
    pub counterpart: String,
    /// What was said.
    pub body: String,
    /// When it took place.
    pub at: DateTime<Utc>,
}

impl Services {
    /// The messages of a case the caller may read: staff read the whole log; a family or a
    /// service reads the messages it wrote and the council's replies to them.
    pub async fn case_messages(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<Vec<MessageRecord>, ServiceError> {
        let (mut read, case, access) = self
            .load_for_read(caller, Action::ViewCase, reference)
            .await?;
        let (messages, entry) = self.messages_in(&mut read, &case, &access, caller).await?;
        drop(read);
        self.audit_read(entry).await?;
        Ok(messages)
    }

    /// The messages of a case read and authorised in `read` that the caller may read, with
    /// the audit entry of the read.
    pub(super) async fn messages_in(
        &self,
        read: &mut Tx,
        case: &StoredCase,
        access: &CaseAccess,
        caller: &Caller,
    ) -> Result<(Vec<MessageRecord>, AuditEntry), ServiceError> {
        let mut messages = read.case_messages(case.record.id).await?;
        if !can(&caller.actor, Action::RecordEvent, Resource::Case(access))
            && !can(&caller.actor, Action::ListCases, Resource::Service)
        {
            let own: Vec<i64> = messages
                .iter()
                .filter(|m| m.author_id == Some(caller.actor.id))
                .map(|m| m.id)
                .collect();
            let replies: Vec<Option<i64>> = messages
                .iter()
                .filter(|m| own.contains(&m.id))
                .map(|m| m.replied_by)
                .collect();
            messages.retain(|m| own.contains(&m.id) || replies.contains(&Some(m.id)));
        }
        let detail = caller.detail(json!({ "messages": messages.len() }));
        let entry = AuditEntry::new(Some(caller.actor.id), "messages.view")
            .case(&case.record.reference)
            .detail(detail);
        Ok((messages, entry))
    }

    /// A family or a service writes to the council about a case: an incoming portal message
    /// with a reply due `reply_days` working days later.
    pub async fn send_message(
        &self,
        caller: &Caller,
        reference: &Reference,
        body: &str,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::SendMessage, reference)
            .await?;
        let body = match message_text("message", body) {
            Ok(body) => body,
            Err(refused) => return Err(rolled_back(tx, refused).await),
        };
        let now = tx.now();
        let message = NewMessage {
            case_id: case.record.id,
            direction: Direction::Incoming,
            channel: Channel::Portal,
            author_id: Some(caller.actor.id),
            counterpart: None,
            body,
            sent_at: now,
            response_due: Some(reply_due(tx.today(), self.reply_working_days)),
        };
        let id = tx.add_message(&message, caller.actor.id).await?;
        let notice = notifications::new_message(reference, id, Audience::CaseManager);
        self.queue(&mut tx, &notice).await?;
        let detail = caller.detail(json!({ "message": id }));
        finish(tx, caller, "message.send", reference, detail).await?;
        Ok(id)
    }

    /// Staff answer incoming message `message` of a case in Tandem; the message is then no
    /// longer waiting.
    pub async fn reply(
        &self,
        caller: &Caller,
        reference: &Reference,
        message: i64,
        body: &str,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let body = match message_text("reply", body) {
            Ok(body) => body,
            Err(refused) => return Err(rolled_back(tx, refused).await),
        };
        let reply = NewMessage {
            case_id: case.record.id,
            direction: Direction::Outgoing,
            channel: Channel::Portal,
            author_id: Some(caller.actor.id),
            counterpart: None,
            body,
            sent_at: tx.now(),
            response_due: None,
        };
        let id = tx.add_message(&reply, caller.actor.id).await?;
        if !tx.mark_replied(case.record.id, message, id).await? {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "reply",
                "That message has already been answered, or is not on this case",
            )]));
        }
        // The one who wrote in Tandem hears of the reply; a recorded contact has no account.
        let writer = tx
            .case_messages(case.record.id)
            .await?
            .into_iter()
            .find(|m| m.id == message)
            .and_then(|m| m.author_id);
        if let Some(writer) = writer {
            let notice = notifications::new_message(reference, id, Audience::Person(writer));
            self.queue(&mut tx, &notice).await?;
        }
        let detail = caller.detail(json!({ "message": message, "reply": id }));
        finish(tx, caller, "message.reply", reference, detail).await?;
        Ok(id)
    }

    /// Staff record a call, email, letter or meeting; an incoming one waits for a reply like a
    /// portal message.
    pub async fn record_contact(
        &self,
        caller: &Caller,
        reference: &Reference,
        contact: &NewContact,
    ) -> Result<i64, ServiceError> {
        let body = message_text("body", &contact.body)?;
        let counterpart = contact.counterpart.trim();
        let mut errors = Vec::new();
        if contact.channel == Channel::Portal {
            errors.push(FieldError::new(
                "channel",
                "Select how the contact was made",
            ));
        }
        if counterpart.is_empty() {
            errors.push(FieldError::new(
                "counterpart",
                "Enter who the contact was with",
            ));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        if tandem_core::dates::england_date(contact.at) > tx.today() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "at",
                "The date of the contact must be today or in the past",
            )]));
        }
        let response_due = (contact.direction == Direction::Incoming).then(|| {
            reply_due(
                tandem_core::dates::england_date(contact.at),
                self.reply_working_days,
            )
        });
        let message = NewMessage {
            case_id: case.record.id,
            direction: contact.direction,
            channel: contact.channel,
            author_id: None,
            counterpart: Some(counterpart.to_owned()),
            body,
            sent_at: contact.at,
            response_due,
        };
        let id = tx.add_message(&message, caller.actor.id).await?;
        let detail = caller.detail(json!({
            "message": id,
            "channel": contact.channel.as_str(),
            "direction": contact.direction.as_str(),
        }));
        finish(tx, caller, "message.record", reference, detail).await?;
        Ok(id)
    }

    /// Every incoming message still waiting for a reply, oldest first: the duty manager's list.
    pub async fn awaiting_reply(
        &self,
        caller: &Caller,
    ) -> Result<Vec<MessageRecord>, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ViewTeamCaseloads).await?;
        let waiting = self.store().awaiting_reply().await?;
        let shown: Vec<&str> = waiting.iter().map(|m| m.reference.as_str()).collect();
        tx.audit(
            &tandem_store::AuditEntry::new(Some(caller.actor.id), "messages.duty")
                .detail(caller.detail(json!({ "shown": shown }))),
        )
        .await?;
        tx.commit().await?;
        Ok(waiting)
    }
}

/// `refused`, once the transaction it was found in is rolled back (or the rollback's own error).
async fn rolled_back(tx: tandem_store::Tx, refused: ServiceError) -> ServiceError {
    match tx.rollback().await {
        Ok(()) => refused,
        Err(error) => error.into(),
    }
}

/// A message's text, trimmed: not empty and not too long.
fn message_text(field: &str, text: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    let problem = if text.is_empty() {
        "Enter your message".to_owned()
    } else if text.chars().count() > MAX_MESSAGE {
        format!("Your message must be {MAX_MESSAGE} characters or fewer")
    } else {
        return Ok(text.to_owned());
    };
    Err(ServiceError::Invalid(vec![FieldError::new(field, problem)]))
}
