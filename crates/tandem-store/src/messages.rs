//! The communications log of a case: portal messages and recorded contacts, with the reply each
//! incoming one is waiting for.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::dates::england_date;
use tandem_core::messages::{Channel, Direction, ReplyTimes};
use tandem_core::{Date, Reference, UserId};

use crate::error::StoreError;
use crate::model::{CaseId, parse_reference};
use crate::store::{Conn, Store, Tx, on};

/// A message or contact to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The case it is about.
    pub case_id: CaseId,
    /// To the council or from it.
    pub direction: Direction,
    /// How it travelled.
    pub channel: Channel,
    /// The account that wrote it, for portal messages.
    pub author_id: Option<UserId>,
    /// Who the contact was with, as staff describe them.
    pub counterpart: Option<String>,
    /// What was said.
    pub body: String,
    /// When it was sent or took place.
    pub sent_at: DateTime<Utc>,
    /// Incoming only: the last day a reply is in time.
    pub response_due: Option<Date>,
}

/// A message as stored, with the names of the people involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Its id.
    pub id: i64,
    /// The case it is about.
    pub case_id: CaseId,
    /// That case's reference.
    pub reference: Reference,
    /// To the council or from it.
    pub direction: Direction,
    /// How it travelled.
    pub channel: Channel,
    /// The account that wrote it, if any.
    pub author_id: Option<UserId>,
    /// That account's name.
    pub author_name: Option<String>,
    /// Who the contact was with, as staff recorded it.
    pub counterpart: Option<String>,
    /// What was said.
    pub body: String,
    /// When it was sent or took place.
    pub sent_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// Incoming only: the last day a reply is in time.
    pub response_due: Option<Date>,
    /// The reply that answered it, if any.
    pub replied_by: Option<i64>,
    /// When it was answered.
    pub replied_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct MessageRow {
    id: i64,
    case_id: i64,
    reference: String,
    direction: String,
    channel: String,
    author_id: Option<i64>,
    author_name: Option<String>,
    counterpart: Option<String>,
    body: String,
    sent_at: DateTime<Utc>,
    recorded_by: i64,
    response_due: Option<Date>,
    replied_by: Option<i64>,
    replied_at: Option<DateTime<Utc>>,
}

impl MessageRow {
    fn into_record(self) -> Result<MessageRecord, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("message {}: {what}", self.id));
        Ok(MessageRecord {
            direction: Direction::parse(&self.direction).ok_or_else(|| corrupt("direction"))?,
            channel: Channel::parse(&self.channel).ok_or_else(|| corrupt("channel"))?,
            reference: parse_reference(self.reference)?,
            id: self.id,
            case_id: self.case_id,
            author_id: self.author_id,
            author_name: self.author_name,
            counterpart: self.counterpart,
            body: self.body,
            sent_at: self.sent_at,
            recorded_by: self.recorded_by,
            response_due: self.response_due,
            replied_by: self.replied_by,
            replied_at: self.replied_at,
        })
    }
}

const SELECT: &str = "SELECT m.id, m.case_id, c.reference, m.direction, m.channel, m.author_id, \
     u.name AS author_name, m.counterpart, m.body, m.sent_at, m.recorded_by, m.response_due, \
     m.replied_by, m.replied_at FROM messages m JOIN cases c ON c.id = m.case_id \
     LEFT JOIN users u ON u.id = m.author_id";

async fn select(
    mut conn: Conn<'_>,
    condition: &str,
    bind: i64,
) -> Result<Vec<MessageRecord>, StoreError> {
    let sql = format!("{SELECT} WHERE {condition} ORDER BY m.sent_at, m.id");
    let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql))
        .bind(bind)
        .fetch_all(&mut *c)
        .await?);
    rows.into_iter().map(MessageRow::into_record).collect()
}

impl Tx {
    /// Records a message or contact, attributed to `recorded_by`; returns its id.
    pub async fn add_message(
        &mut self,
        message: &NewMessage,
        recorded_by: UserId,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO messages (case_id, direction, channel, author_id, \
             counterpart, body, sent_at, recorded_by, response_due) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(message.case_id)
            .bind(message.direction.as_str())
            .bind(message.channel.as_str())
            .bind(message.author_id)
            .bind(message.counterpart.as_deref())
            .bind(message.body.as_str())
            .bind(message.sent_at)
            .bind(recorded_by)
            .bind(message.response_due)
            .fetch_one(&mut *c)
            .await?);
        Ok(id)
    }

    /// Every message of a case, oldest first.
    pub async fn case_messages(
        &mut self,
        case_id: CaseId,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        select(self.conn(), "m.case_id = $1", case_id).await
    }

    /// Marks incoming message `id` of `case_id` as answered by `reply`; false if it is not an
    /// incoming message of that case waiting for a reply.
    pub async fn mark_replied(
        &mut self,
        case_id: CaseId,
        id: i64,
        reply: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        const SQL: &str = "UPDATE messages SET replied_by = $3, replied_at = $4 \
             WHERE id = $1 AND case_id = $2 AND direction = 'incoming' AND replied_at IS NULL";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(id)
            .bind(case_id)
            .bind(reply)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }
}

impl Store {
    /// How the incoming messages received from `start` to `end` (inclusive, England dates)
    /// were answered as at `as_of`.
    pub async fn reply_times(
        &self,
        start: Date,
        end: Date,
        as_of: Date,
    ) -> Result<ReplyTimes, StoreError> {
        const SQL: &str = "SELECT sent_at, response_due, replied_at FROM messages \
             WHERE direction = 'incoming' AND sent_at >= $1 AND sent_at < $2";
        // A day's messages in England fall within a day either side in UTC; the exact day is
        // checked below.
        let from = start.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::days(1);
        let to = end.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::Duration::days(2);
        let mut held = self.acquire().await?;
        let rows = on!(held.conn(), c =>
            sqlx::query_as::<_, (DateTime<Utc>, Option<Date>, Option<DateTime<Utc>>)>(SQL)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await?);
        let mut times = ReplyTimes::default();
        for (sent_at, due, replied_at) in rows {
            let received = england_date(sent_at);
            if received < start || received > end {
                continue;
            }
            let due = due
                .ok_or_else(|| StoreError::Corrupt("incoming message without a due date".into()))?;
            times.add(due, replied_at.map(england_date), as_of);
        }
        Ok(times)
    }

    /// Incoming messages of every case still waiting for a reply, oldest first (the duty list).
    pub async fn awaiting_reply(&self) -> Result<Vec<MessageRecord>, StoreError> {
        let mut held = self.acquire().await?;
        select(
            held.conn(),
            "m.direction = 'incoming' AND m.replied_at IS NULL AND $1 = $1",
            0,
        )
        .await
    }
}
