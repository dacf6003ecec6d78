//! Batch updates, the one way every `batch-update-*` tool talks to a
//! WooCommerce `…/batch` endpoint: any number of items, split into requests
//! of `BATCH_SIZE` sent concurrently, and what the store refused reported
//! item by item instead of failing the whole call.

use super::registry::Store;
use crate::client::{ApiRequest, Error, Method, RemoteError};
use crate::read;
use serde_json::{Value, json};

/// WooCommerce's batch endpoints take 100 items a call (more is 413
/// `woocommerce_rest_request_entity_too_large`).
pub const BATCH_SIZE: usize = 100;

/// Send `items` (each with its `id`) as updates to the batch endpoint `path`
/// (e.g. `/orders/batch`), `BATCH_SIZE` a request, the requests concurrently.
///
/// Returns `{updated, errors, requests}`: `updated` are the records as the
/// store saved them; `errors` the items it refused, each as WooCommerce
/// reports them (`{"id", "error": {code, message, data}}`). When a whole
/// request fails (the network, a 5xx) while others went through, each of
/// its items is reported with that request's error, so the caller sees what
/// was applied and what was not; when every request fails, nothing was
/// applied and the call fails with the first error.
pub(super) fn update(store: &mut dyn Store, path: &str, items: Vec<Value>) -> Result<Value, Error> {
    let chunks: Vec<&[Value]> = items.chunks(BATCH_SIZE).collect();
    let reqs: Vec<ApiRequest> = chunks
        .iter()
        .map(|chunk| ApiRequest::write(Method::Post, path, json!({"update": chunk})).replay_safe())
        .collect();
    let answers = store.send_all(&reqs);
    if let Some(Err(first)) = answers.first()
        && answers.iter().all(Result::is_err)
    {
        return Err(first.clone());
    }
    let mut updated = vec![];
    let mut errors = vec![];
    for (chunk, answer) in chunks.iter().zip(answers) {
        match answer {
            Ok(r) => {
                for item in read::list(&r.body["update"]) {
                    if item.get("error").is_some_and(|e| !e.is_null()) {
                        errors.push(item.clone());
                    } else {
                        updated.push(item.clone());
                    }
                }
            }
            Err(e) => errors.extend(chunk.iter().map(|item| json!({"id": item["id"], "error": error_json(&e)}))),
        }
    }
    Ok(json!({"updated": updated, "errors": errors, "requests": reqs.len()}))
}

/// A failed request's error in WooCommerce's per-item shape.
fn error_json(e: &Error) -> Value {
    let remote = |r: &RemoteError| json!({"code": r.code, "message": r.message, "data": {"status": r.status}});
    match e {
        Error::Auth(r) | Error::Forbidden(r) | Error::NotFound(r) | Error::RateLimited(r) | Error::Remote(r) => {
            remote(r)
        }
        other => json!({"code": "request_failed", "message": other.to_string(), "data": {"status": 0}}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Page, Response};
    use crate::push::{Shipment, StockLine};
    use serde_json::Map;

    /// A store whose batch endpoint refuses ids above 1000 per item, and
    /// fails a whole request whose first id is `fail_from` or more.
    struct FakeBatch {
        sent: Vec<ApiRequest>,
        fail_from: u64,
    }

    impl Store for FakeBatch {
        fn send(&mut self, _: &ApiRequest) -> Result<Response, Error> {
            unreachable!("batches go through send_all")
        }
        fn send_all(&mut self, reqs: &[ApiRequest]) -> Vec<Result<Response, Error>> {
            self.sent.extend(reqs.iter().cloned());
            reqs.iter()
                .map(|r| {
                    let items = read::list(&r.body.as_ref().unwrap()["update"]).to_vec();
                    if items[0]["id"].as_u64().unwrap() >= self.fail_from {
                        return Err(Error::Remote(RemoteError {
                            status: 502,
                            code: String::new(),
                            message: "Bad Gateway".into(),
                        }));
                    }
                    let update: Vec<Value> = items
                        .iter()
                        .map(|i| match i["id"].as_u64().unwrap() {
                            id if id > 1000 => json!({"id": id, "error": {"code": "woocommerce_rest_shop_order_invalid_id", "message": "ID is invalid.", "data": {"status": 400}}}),
                            _ => i.clone(),
                        })
                        .collect();
                    Ok(Response { status: 200, body: json!({"update": update}), total: None, total_pages: None })
                })
                .collect()
        }
        fn for_each_page(
            &mut self,
            _: &str,
            _: &[(String, String)],
            _: &mut dyn FnMut(Page) -> Result<(), Error>,
        ) -> Result<(), Error> {
            unreachable!()
        }
        fn push_stock(&mut self, _: &[StockLine]) -> Result<Value, Error> {
            unreachable!()
        }
        fn push_shipment(&mut self, _: &Shipment) -> Result<Value, Error> {
            unreachable!()
        }
        fn push_contact(&mut self, _: &str, _: &Map<String, Value>) -> Result<Value, Error> {
            unreachable!()
        }
    }

    fn items(ids: impl Iterator<Item = u64>) -> Vec<Value> {
        ids.map(|id| json!({"id": id, "status": "completed"})).collect()
    }

    #[test]
    fn batches_split_into_requests_of_100_and_report_refused_items() {
        let mut store = FakeBatch { sent: vec![], fail_from: u64::MAX };
        let mut all = items(1..=248);
        all.extend(items([5001, 5002].into_iter()));
        let r = update(&mut store, "/orders/batch", all).unwrap();
        assert_eq!(store.sent.len(), 3);
        let sizes: Vec<usize> =
            store.sent.iter().map(|s| read::list(&s.body.as_ref().unwrap()["update"]).len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert!(store.sent.iter().all(|s| s.path == "/orders/batch" && s.method == Method::Post && s.replay_safe));
        assert_eq!((r["updated"].as_array().unwrap().len(), r["errors"].as_array().unwrap().len()), (248, 2));
        assert_eq!(r["errors"][0]["error"]["code"], "woocommerce_rest_shop_order_invalid_id");
        assert_eq!(r["requests"], 3);
    }

    #[test]
    fn a_failed_batch_request_reports_its_items_and_keeps_the_others() {
        let mut store = FakeBatch { sent: vec![], fail_from: 101 };
        let r = update(&mut store, "/products/batch", items(1..=150)).unwrap();
        assert_eq!(r["updated"].as_array().unwrap().len(), 100);
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 50);
        assert_eq!((errors[0]["id"].as_u64(), errors[0]["error"]["data"]["status"].as_u64()), (Some(101), Some(502)));
        // When no request went through, nothing was applied: the call fails.
        let mut store = FakeBatch { sent: vec![], fail_from: 0 };
        assert!(matches!(update(&mut store, "/products/batch", items(1..=150)), Err(Error::Remote(_))));
    }
}
