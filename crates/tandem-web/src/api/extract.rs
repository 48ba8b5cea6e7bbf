//! What the API handlers take from a request: the caller, a JSON body read with the path of any
//! field that does not fit, and the case version of `If-Match`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use tandem_core::Reference;

use super::problem::Problem;

/// A reference from the path. One that cannot be a reference names no case.
pub(crate) fn reference(text: &str) -> Result<Reference, Problem> {
    Reference::parse(text)
        .map_err(|_| Problem::new(StatusCode::NOT_FOUND, "No case has that reference."))
}

/// A JSON request body. A body that is not JSON is refused with 400 (415 without the JSON
/// content type); a field of the wrong type with 422 naming the field by its path.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(|rejection| match rejection {
                JsonRejection::MissingJsonContentType(_) => Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as JSON, with Content-Type: application/json.",
                ),
                other => Problem::new(other.status(), other.body_text()),
            })?;
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|error| {
                let path = error.path().to_string();
                let message = error.into_inner().to_string();
                Problem::field(field_of(&path, &message), message)
            })
    }
}

/// The field a deserialisation error is about: its path, and for a missing field the field's
/// own name, which serde gives only in the message ("missing field `reason`").
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// The case version a write was prepared against: `If-Match` with the `ETag` of
/// `GET /api/v1/cases/{reference}`. A write without it is refused with 428, so that nobody
/// overwrites a change they have not seen.
pub(crate) struct IfMatch(pub(crate) i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "Send If-Match with the case's ETag from GET /api/v1/cases/{reference}.",
            ));
        };
        value
            .to_str()
            .ok()
            .and_then(parse_etag)
            .map(Self)
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "If-Match must be one entity tag, the case's ETag, such as \"3\".",
                )
            })
    }
}

/// The version in a strong entity tag such as `"3"`.
fn parse_etag(text: &str) -> Option<i64> {
    let digits = text.trim().strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_etag;

    #[test]
    fn only_a_strong_tag_of_digits_is_a_version() {
        assert_eq!(parse_etag("\"3\""), Some(3));
        assert_eq!(parse_etag(" \"12\" "), Some(12));
        for refused in [
            "3",
            "W/\"3\"",
            "*",
            "\"\"",
            "\"-1\"",
            "\"3\", \"4\"",
            "\"x\"",
        ] {
            assert_eq!(parse_etag(refused), None, "{refused}");
        }
    }
}
