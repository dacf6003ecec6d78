//! What sends requests: WASI HTTP in the component, a scripted fake in
//! native tests. The client only builds requests and judges answers.

use super::request::{HttpRequest, HttpResponse};

/// Sends built requests and answers them, with the clock and randomness the
/// client needs for signing and backoff.
pub trait Transport {
    /// Requests on the wire, not yet answered.
    type Pending;
    /// Put every request on the wire and return at once: the caller may work
    /// while they travel.
    fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending;
    /// Wait for the answers, in request order. An `Err` is a transport
    /// failure (no HTTP answer).
    fn finish_all(&mut self, pending: Self::Pending) -> Vec<Result<HttpResponse, String>>;
    /// Send every request concurrently and answer in the same order.
    fn send_all(&mut self, requests: Vec<HttpRequest>) -> Vec<Result<HttpResponse, String>> {
        let pending = self.start_all(requests);
        self.finish_all(pending)
    }
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> u64;
    /// A fresh single-use nonce.
    fn nonce(&mut self) -> String;
    /// Wait before a retry.
    fn sleep_ms(&mut self, ms: u64);
    /// A random number (backoff jitter).
    fn random(&mut self) -> u64;
}

#[cfg(test)]
pub mod fake {
    //! A scripted transport for native tests.
    use super::*;
    use std::collections::VecDeque;

    /// Answers a request from what it asks for.
    pub type Router = Box<dyn FnMut(&HttpRequest) -> HttpResponse>;

    /// Answers from a script, then from a router; records what was sent.
    #[derive(Default)]
    pub struct FakeTransport {
        /// Every request sent, in order.
        pub sent: Vec<HttpRequest>,
        /// Scripted answers, used first.
        pub answers: VecDeque<Result<HttpResponse, String>>,
        /// Answer by path when `answers` is empty.
        pub router: Option<Router>,
        /// Nonces and random numbers handed out.
        pub counter: u64,
        /// Every wait the client asked for, in ms.
        pub slept: Vec<u64>,
        /// Requests started and not yet finished, after each start.
        pub in_flight: Vec<usize>,
        outstanding: usize,
    }

    impl Transport for FakeTransport {
        type Pending = Vec<Result<HttpResponse, String>>;
        fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending {
            self.outstanding += requests.len();
            self.in_flight.push(self.outstanding);
            self.answer(requests)
        }
        fn finish_all(&mut self, pending: Self::Pending) -> Vec<Result<HttpResponse, String>> {
            self.outstanding -= pending.len();
            pending
        }
        fn now_unix(&self) -> u64 {
            1_700_000_000
        }
        fn nonce(&mut self) -> String {
            self.counter += 1;
            format!("nonce{}", self.counter)
        }
        fn sleep_ms(&mut self, ms: u64) {
            self.slept.push(ms);
        }
        fn random(&mut self) -> u64 {
            self.counter += 1;
            self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }
    }

    impl FakeTransport {
        fn answer(&mut self, requests: Vec<HttpRequest>) -> Vec<Result<HttpResponse, String>> {
            requests
                .into_iter()
                .map(|r| {
                    let a = match self.answers.pop_front() {
                        Some(a) => a,
                        None => match self.router.as_mut() {
                            Some(f) => Ok(f(&r)),
                            None => Err("no scripted answer".into()),
                        },
                    };
                    self.sent.push(r);
                    a
                })
                .collect()
        }
    }

    /// A sent request's query as (name, value) pairs, commas decoded (the
    /// list filters send `include=1%2C2`).
    pub fn query(r: &HttpRequest) -> Vec<(String, String)> {
        let q = r.path_and_query.split_once('?').map(|(_, q)| q).unwrap_or("");
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.replace("%2C", ",").replace("%2c", ",")))
            .collect()
    }

    /// An answer with a JSON body and headers.
    pub fn json(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }
}
