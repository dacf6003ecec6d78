//! The WooCommerce REST client. A request is *built* (pure: URL, signing,
//! query; `request`) apart from being *sent* (the [`Transport`]: WASI HTTP in
//! the component, a fake in native tests). [`Client`] adds what a store needs
//! on top: each answer is judged by the retry policy (`retry`), lists are
//! walked a [`Page`] at a time (`paging`), and failures come back as the
//! typed [`Error`] (`error`). `url` holds the store URL rules, `oauth` the
//! OAuth 1.0a signing used over plain HTTP.

pub mod error;
pub mod oauth;
pub mod paging;
pub mod request;
pub mod retry;
pub mod transport;
pub mod url;

pub use error::{Error, RemoteError};
pub use oauth::SignatureMethod;
pub use paging::{MAX_PER_PAGE, Page};
pub use request::{ApiRequest, Credentials, HttpRequest, HttpResponse, Method, Response, USER_AGENT, parse_response};
pub use retry::RetryPolicy;
pub use transport::Transport;
#[cfg(test)]
pub use transport::fake;
pub use url::{Scheme, StoreUrl};

/// Requests started by `Client::start`, with what is needed to retry them.
pub struct InFlight<P> {
    reqs: Vec<ApiRequest>,
    pending: P,
}

/// A WooCommerce client bound to one store.
pub struct Client<T: Transport> {
    /// The store.
    pub url: StoreUrl,
    credentials: Credentials,
    /// What sends the requests.
    pub transport: T,
    /// Requests made so far (retries included).
    pub requests: u64,
    /// Requests sent again after a retryable failure.
    pub retries: u64,
    /// Answers that were 429 (the store asking us to slow down).
    pub rate_limited: u64,
    /// How often and how long to retry.
    pub retry: RetryPolicy,
}

impl<T: Transport> Client<T> {
    /// A client for `url` with `credentials`, sending through `transport`.
    pub fn new(url: StoreUrl, credentials: Credentials, transport: T) -> Self {
        Client { url, credentials, transport, requests: 0, retries: 0, rate_limited: 0, retry: RetryPolicy::default() }
    }

    /// Build the wire request, signed afresh (`request::build`).
    pub fn build(&mut self, req: &ApiRequest) -> HttpRequest {
        let nonce = match self.url.scheme {
            Scheme::Http => self.transport.nonce(),
            Scheme::Https => String::new(),
        };
        request::build(&self.url, &self.credentials, req, self.transport.now_unix(), &nonce)
    }

    /// Send several requests at once; answers come back in order.
    ///
    /// Each answer is judged by the retry policy (`retry.rs`): 429s, server
    /// errors, resets and cut bodies are sent again, all the failed ones of a
    /// round together after one wait, re-signed each time. A 401 that refuses
    /// only the OAuth nonce or timestamp is not a verdict on the credentials:
    /// it is re-signed and sent at once. A give-up is the typed error of the
    /// last answer, saying how often the request was tried.
    pub fn send_all(&mut self, reqs: &[ApiRequest]) -> Vec<Result<Response, Error>> {
        let flight = self.start(reqs.to_vec());
        self.complete(flight)
    }

    /// Put requests on the wire and return at once (see `complete`).
    pub fn start(&mut self, reqs: Vec<ApiRequest>) -> InFlight<T::Pending> {
        let wire: Vec<HttpRequest> = reqs.iter().map(|r| self.build(r)).collect();
        self.requests += wire.len() as u64;
        let pending = self.transport.start_all(wire);
        InFlight { reqs, pending }
    }

    /// The answers of started requests, retried as `send_all` says.
    pub fn complete(&mut self, flight: InFlight<T::Pending>) -> Vec<Result<Response, Error>> {
        let reqs = flight.reqs;
        let mut first = Some(self.transport.finish_all(flight.pending));
        let mut answers: Vec<Option<Result<Response, Error>>> = reqs.iter().map(|_| None).collect();
        let mut attempts = vec![0u32; reqs.len()];
        let mut todo: Vec<usize> = (0..reqs.len()).collect();
        let mut waited_ms = 0u64;
        while !todo.is_empty() {
            let raw_answers = match first.take() {
                Some(a) => a,
                None => {
                    let wire: Vec<HttpRequest> = todo.iter().map(|i| self.build(&reqs[*i])).collect();
                    self.requests += wire.len() as u64;
                    self.transport.send_all(wire)
                }
            };
            let now = self.transport.now_unix();
            let mut again = vec![];
            let mut wait_ms = 0u64;
            for (i, raw) in todo.iter().copied().zip(raw_answers) {
                attempts[i] += 1;
                let req = &reqs[i];
                let tried = attempts[i];
                if matches!(&raw, Ok(r) if r.status == 429) {
                    self.rate_limited += 1;
                }
                let verdict = retry::judge(req.method, req.replay_safe, &raw, now);
                let parsed = parse_response(raw);
                let retry_now = is_replay_refusal(&parsed) && tried < 2;
                match verdict {
                    _ if retry_now => again.push(i),
                    retry::Verdict::Retry { wait_ms: server, .. } if tried < self.retry.max_attempts => {
                        let random = self.transport.random();
                        wait_ms = wait_ms.max(self.retry.delay_ms(tried, server, random));
                        again.push(i);
                    }
                    retry::Verdict::Retry { why, .. } => {
                        answers[i] = Some(Err(gave_up(parsed, req, &why, tried, waited_ms)));
                    }
                    retry::Verdict::Uncertain { why } => {
                        answers[i] = Some(Err(Error::Transport(format!(
                            "{} {}: {why}; the store may or may not have applied this write, so it was not sent again \
                             (check the record before retrying)",
                            req.method.as_str(),
                            req.path
                        ))));
                    }
                    retry::Verdict::Keep => answers[i] = Some(parsed),
                }
            }
            if !again.is_empty() && wait_ms > 0 {
                if waited_ms + wait_ms > self.retry.budget_ms {
                    for i in again.drain(..) {
                        let why = format!("retry budget of {} s spent", self.retry.budget_ms / 1000);
                        let last = Err(Error::Transport(why.clone()));
                        answers[i] = Some(Err(gave_up(last, &reqs[i], &why, attempts[i], waited_ms)));
                    }
                } else {
                    self.transport.sleep_ms(wait_ms);
                    waited_ms += wait_ms;
                }
            }
            self.retries += again.len() as u64;
            todo = again;
        }
        answers.into_iter().map(|a| a.unwrap_or_else(|| Err(Error::Transport("no answer".into())))).collect()
    }

    /// Send one request.
    pub fn send(&mut self, req: &ApiRequest) -> Result<Response, Error> {
        self.send_all(std::slice::from_ref(req)).pop().unwrap_or_else(|| Err(Error::Transport("no answer".into())))
    }
}

/// The give-up error: the last answer's typed error, with the attempts.
fn gave_up(last: Result<Response, Error>, req: &ApiRequest, why: &str, attempts: u32, waited_ms: u64) -> Error {
    let note = format!(
        "gave up on {} {} after {attempts} attempts over {:.1} s",
        req.method.as_str(),
        req.path,
        waited_ms as f64 / 1000.0
    );
    match last {
        Err(Error::RateLimited(mut e)) => {
            e.message = format!("{} ({note})", e.message);
            Error::RateLimited(e)
        }
        Err(Error::Remote(mut e)) => {
            e.message = format!("{} ({note})", e.message);
            Error::Remote(e)
        }
        Err(Error::Transport(m)) => Error::Transport(format!("{m} ({note})")),
        Err(other) => other,
        Ok(_) => Error::Transport(format!("{why} ({note})")),
    }
}

/// A 401 that refuses only the OAuth nonce or timestamp (a replay check),
/// not the credentials.
fn is_replay_refusal(a: &Result<Response, Error>) -> bool {
    match a {
        Err(Error::Auth(e)) if e.status == 401 => {
            let m = e.message.to_ascii_lowercase();
            m.contains("nonce") || m.contains("timestamp")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::fake::*;
    use super::*;

    /// A client of a scripted store.
    pub(super) fn client(url: &str) -> Client<FakeTransport> {
        let creds = Credentials {
            consumer_key: "ck_test".into(),
            consumer_secret: "cs_test".into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        Client::new(StoreUrl::parse(url).unwrap(), creds, FakeTransport::default())
    }

    #[test]
    fn rejected_oauth_nonce_is_resigned_and_retried_once_not_an_auth_failure() {
        let mut c = client("http://127.0.0.1:8080");
        c.transport.answers.push_back(Ok(json(401, r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid nonce - nonce has already been used.","data":{"status":401}}"#, &[])));
        c.transport.answers.push_back(Ok(json(200, "[]", &[])));
        assert!(c.send(&ApiRequest::get("/orders", vec![])).is_ok());
        assert_eq!(c.requests, 2);
        let nonces: Vec<&str> = c
            .transport
            .sent
            .iter()
            .map(|r| r.path_and_query.split("oauth_nonce=").nth(1).unwrap().split('&').next().unwrap())
            .collect();
        assert_ne!(nonces[0], nonces[1], "signed afresh");
    }

    #[test]
    fn retry_a_cut_body_is_read_again_and_the_second_answer_kept() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[{\"id\":1", &[])));
        c.transport.answers.push_back(Ok(json(200, "[{\"id\":1}]", &[])));
        let r = c.send(&ApiRequest::get("/orders", vec![])).unwrap();
        assert_eq!(r.body[0]["id"], 1);
        assert_eq!((c.requests, c.retries, c.transport.slept.len()), (2, 1, 1));
    }

    #[test]
    fn retry_429_waits_what_retry_after_says_then_succeeds() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(
            429,
            r#"{"code":"too_many","message":"slow down"}"#,
            &[("Retry-After", "2")],
        )));
        c.transport.answers.push_back(Ok(json(200, "[]", &[])));
        assert!(c.send(&ApiRequest::get("/orders", vec![])).is_ok());
        assert_eq!(c.transport.slept, [2000]);
    }

    #[test]
    fn retry_gives_up_after_the_attempt_bound_with_a_typed_error_saying_how_often() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|_| json(503, r#"{"code":"internal_server_error","message":"down"}"#, &[])));
        let e = c.send(&ApiRequest::get("/orders", vec![])).unwrap_err();
        let Error::Remote(r) = &e else { panic!("{e:?}") };
        assert_eq!(r.status, 503);
        assert!(r.message.contains("after 6 attempts"), "{e}");
        assert_eq!(c.requests, 6);
        assert_eq!(c.transport.slept.len(), 5);
        assert!(c.transport.slept.windows(2).all(|w| w[1] >= w[0] / 2), "backoff grows: {:?}", c.transport.slept);
    }

    #[test]
    fn retry_a_post_cut_by_a_reset_is_not_sent_twice_and_says_the_write_is_uncertain() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Err("connection reset by peer".into()));
        let req = ApiRequest::write(Method::Post, "/orders/5/notes", serde_json::json!({"note": "x"}));
        let e = c.send(&req).unwrap_err();
        assert!(e.to_string().contains("may or may not have applied"), "{e}");
        assert_eq!(c.requests, 1);
        // A batch of absolute stock values may be resent.
        c.transport.answers.push_back(Err("connection reset by peer".into()));
        c.transport.answers.push_back(Ok(json(200, "{}", &[])));
        assert!(
            c.send(
                &ApiRequest::write(Method::Post, "/products/batch", serde_json::json!({"update": []})).replay_safe()
            )
            .is_ok()
        );
    }

    #[test]
    fn retry_a_failed_round_resends_only_the_failed_requests_after_one_wait() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[1]", &[])));
        c.transport.answers.push_back(Ok(json(502, "", &[])));
        c.transport.answers.push_back(Err("connection reset".into()));
        c.transport.router = Some(Box::new(|_| json(200, "[2]", &[])));
        let reqs: Vec<ApiRequest> =
            (1..=3).map(|p| ApiRequest::get("/orders", vec![("page".into(), p.to_string())])).collect();
        let answers = c.send_all(&reqs);
        assert!(answers.iter().all(Result::is_ok));
        assert_eq!((c.requests, c.transport.slept.len()), (5, 1));
        let resent: Vec<&str> = c.transport.sent[3..].iter().map(|r| r.path_and_query.as_str()).collect();
        assert_eq!(resent, ["/wp-json/wc/v3/orders?page=2", "/wp-json/wc/v3/orders?page=3"]);
    }
}
