//! The JetStream publish acknowledgement, parsed by hand so that every server error code (and the
//! ADR-50 batch fields) reaches the caller intact.

use serde::Deserialize;

use crate::AppendError;

/// A `PubAck` or an error answer, as the server sends it.
#[derive(Debug, Deserialize)]
struct PubAckResponse {
    #[serde(default)]
    error: Option<ApiError>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    duplicate: bool,
    #[serde(default)]
    batch: Option<String>,
    #[serde(default)]
    count: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: u16,
    #[serde(default)]
    err_code: u64,
    #[serde(default)]
    description: String,
}

/// A positive acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ack {
    pub(crate) sequence: u64,
    pub(crate) duplicate: bool,
    pub(crate) batch: Option<String>,
    pub(crate) count: Option<u64>,
}

/// Parses the body of an answer to a publish. An empty body (the ADR-50 acknowledgement of a
/// batch message before the commit) is `Ok(None)`.
pub(crate) fn parse(body: &[u8]) -> Result<Option<Ack>, AppendError> {
    if body.is_empty() {
        return Ok(None);
    }
    let response: PubAckResponse = serde_json::from_slice(body).map_err(|e| {
        AppendError::Protocol(format!(
            "unreadable publish acknowledgement ({e}): {}",
            String::from_utf8_lossy(body)
        ))
    })?;
    if let Some(error) = response.error {
        return Err(AppendError::Rejected {
            status: error.code,
            err_code: error.err_code,
            description: error.description,
        });
    }
    let sequence = response.seq.ok_or_else(|| {
        AppendError::Protocol(format!(
            "acknowledgement without a sequence: {}",
            String::from_utf8_lossy(body)
        ))
    })?;
    Ok(Some(Ack {
        sequence,
        duplicate: response.duplicate,
        batch: response.batch,
        count: response.count,
    }))
}
