//! The reader's part of the client: reading an article, listing candidates, deciding on them.

use liaison_proto::reader::{ArticleAnswer, CandidateList, CandidateView, RejectRequest};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use super::{Answer, Client, ClientError, decode, trim};

impl Client {
    /// `POST /v1/articles[?dry_run=true]` with `body`; whether it was read now (`201`).
    pub async fn read_article(
        &self,
        body: &Value,
        dry_run: bool,
    ) -> Result<(bool, Answer<ArticleAnswer>), ClientError> {
        let base = &self.endpoints.reader;
        let mut request = self
            .write(Method::POST, &format!("{}/v1/articles", trim(base)))
            .json(body);
        if dry_run {
            request = request.query(&[("dry_run", "true")]);
        }
        let (status, json) = self.send("reader", base, request).await?;
        let value = decode("reader", json.clone())?;
        Ok((status.as_u16() == 201, Answer { value, json }))
    }

    /// `GET /v1/candidates?state=&limit=&cursor=`.
    pub async fn candidates(
        &self,
        state: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Answer<CandidateList>, ClientError> {
        let base = &self.endpoints.reader;
        let mut query = vec![("limit", limit.to_string())];
        if let Some(state) = state {
            query.push(("state", state.to_owned()));
        }
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let request = self
            .read(&format!("{}/v1/candidates", trim(base)))
            .query(&query);
        let (_, json) = self.send("reader", base, request).await?;
        let value = decode("reader", json.clone())?;
        Ok(Answer { value, json })
    }

    /// `POST /v1/candidates/{id}/accept`, with the edited event if any.
    pub async fn accept(
        &self,
        id: Uuid,
        edited: Option<&Value>,
    ) -> Result<Answer<CandidateView>, ClientError> {
        let base = &self.endpoints.reader;
        let mut request = self.write(
            Method::POST,
            &format!("{}/v1/candidates/{id}/accept", trim(base)),
        );
        if let Some(event) = edited {
            request = request.json(event);
        }
        let (_, json) = self.send("reader", base, request).await?;
        let value = decode("reader", json.clone())?;
        Ok(Answer { value, json })
    }

    /// `POST /v1/candidates/{id}/reject` with `reason`.
    pub async fn reject(
        &self,
        id: Uuid,
        reason: &str,
    ) -> Result<Answer<CandidateView>, ClientError> {
        let base = &self.endpoints.reader;
        let request = self
            .write(
                Method::POST,
                &format!("{}/v1/candidates/{id}/reject", trim(base)),
            )
            .json(&RejectRequest {
                reason: reason.to_owned(),
            });
        let (_, json) = self.send("reader", base, request).await?;
        let value = decode("reader", json.clone())?;
        Ok(Answer { value, json })
    }
}
