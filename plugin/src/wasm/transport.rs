//! WASI HTTP as the client's transport: every request of a batch is in
//! flight at once; the answers are awaited with `wasi:io/poll`.

use super::wasi::http::{outgoing_handler, types as http};
use super::wasi::io::streams::StreamError;
use crate::client::{HttpRequest, HttpResponse, Method, Scheme, Transport};

/// Largest response body read from a store.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// The component's HTTP client: the host allows nothing but the connected store.
pub struct WasiTransport;

impl WasiTransport {
    fn start(req: HttpRequest) -> Result<http::FutureIncomingResponse, String> {
        let fields: Vec<(String, Vec<u8>)> = req.headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
        let headers = http::Fields::from_list(&fields).map_err(|e| format!("bad header: {e:?}"))?;
        let out = http::OutgoingRequest::new(headers);
        let method = match req.method {
            Method::Get => http::Method::Get,
            Method::Post => http::Method::Post,
            Method::Put => http::Method::Put,
            Method::Patch => http::Method::Patch,
            Method::Delete => http::Method::Delete,
        };
        let scheme = match req.scheme {
            Scheme::Http => http::Scheme::Http,
            Scheme::Https => http::Scheme::Https,
        };
        // These messages start with `bad …`: the retry policy knows another
        // attempt cannot fix them.
        out.set_method(&method).map_err(|_| "bad method".to_string())?;
        out.set_scheme(Some(&scheme)).map_err(|_| "bad scheme".to_string())?;
        out.set_authority(Some(&req.authority)).map_err(|_| "bad authority".to_string())?;
        out.set_path_with_query(Some(&req.path_and_query)).map_err(|_| "bad path".to_string())?;
        let body = out.body().map_err(|_| "no request body".to_string())?;
        let options = http::RequestOptions::new();
        let _ = options.set_connect_timeout(Some(30_000_000_000));
        let _ = options.set_first_byte_timeout(Some(120_000_000_000));
        let _ = options.set_between_bytes_timeout(Some(60_000_000_000));
        let future = outgoing_handler::handle(out, Some(options)).map_err(|e| describe(&e))?;
        {
            let stream = body.write().map_err(|_| "no request stream".to_string())?;
            for chunk in req.body.chunks(4096) {
                stream.blocking_write_and_flush(chunk).map_err(|e| format!("sending the body failed: {e:?}"))?;
            }
        }
        http::OutgoingBody::finish(body, None).map_err(|e| describe(&e))?;
        Ok(future)
    }

    fn finish(future: &http::FutureIncomingResponse) -> Result<HttpResponse, String> {
        let resp = match future.get() {
            Some(Ok(Ok(r))) => r,
            Some(Ok(Err(e))) => return Err(describe(&e)),
            Some(Err(())) => return Err("response already taken".into()),
            None => return Err("response not ready".into()),
        };
        let status = resp.status();
        let headers =
            resp.headers().entries().into_iter().map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned())).collect();
        let incoming = resp.consume().map_err(|_| "no response body".to_string())?;
        let mut body = Vec::new();
        {
            let stream = incoming.stream().map_err(|_| "no response stream".to_string())?;
            loop {
                match stream.blocking_read(64 * 1024) {
                    Ok(chunk) => {
                        body.extend_from_slice(&chunk);
                        if body.len() > MAX_RESPONSE {
                            return Err("the store's answer is larger than 64 MiB".into());
                        }
                    }
                    Err(StreamError::Closed) => break,
                    Err(StreamError::LastOperationFailed(e)) => {
                        return Err(format!("the answer was cut: {}", e.to_debug_string()));
                    }
                }
            }
        }
        let _ = http::IncomingBody::finish(incoming);
        Ok(HttpResponse { status, headers, body })
    }
}

/// A WASI HTTP error as the operator reads it.
fn describe(e: &http::ErrorCode) -> String {
    match e {
        http::ErrorCode::HttpRequestDenied => {
            "the host refused the request: only the connected store may be reached".into()
        }
        http::ErrorCode::ConnectionRefused => "connection refused".into(),
        http::ErrorCode::DestinationIpProhibited => {
            "the host refused the store's address: it is link-local (cloud metadata), never a store".into()
        }
        http::ErrorCode::ConnectionTimeout => "connection timed out".into(),
        http::ErrorCode::TlsCertificateError => {
            "the store's TLS certificate is not trusted (use --ca-cert for a self-signed one)".into()
        }
        other => format!("{other:?}"),
    }
}

impl Transport for WasiTransport {
    type Pending = Vec<Result<http::FutureIncomingResponse, String>>;

    fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending {
        requests.into_iter().map(Self::start).collect()
    }

    fn finish_all(&mut self, started: Self::Pending) -> Vec<Result<HttpResponse, String>> {
        let mut pending: Vec<usize> = started.iter().enumerate().filter(|(_, f)| f.is_ok()).map(|(i, _)| i).collect();
        let mut answers: Vec<Option<Result<HttpResponse, String>>> = (0..started.len()).map(|_| None).collect();
        while !pending.is_empty() {
            let pollables: Vec<_> =
                pending.iter().filter_map(|i| started[*i].as_ref().ok().map(|f| f.subscribe())).collect();
            let refs: Vec<&super::wasi::io::poll::Pollable> = pollables.iter().collect();
            let ready = super::wasi::io::poll::poll(&refs);
            let mut still = vec![];
            for (slot, i) in pending.iter().enumerate() {
                if ready.contains(&(slot as u32)) {
                    if let Ok(f) = &started[*i] {
                        answers[*i] = Some(Self::finish(f));
                    }
                } else {
                    still.push(*i);
                }
            }
            pending = still;
        }
        started
            .into_iter()
            .zip(answers)
            .map(|(s, a)| match (s, a) {
                (Err(e), _) => Err(e),
                (Ok(_), Some(a)) => a,
                (Ok(_), None) => Err("no answer".into()),
            })
            .collect()
    }

    fn now_unix(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }

    fn nonce(&mut self) -> String {
        super::wasi::random::random::get_random_bytes(16).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn sleep_ms(&mut self, ms: u64) {
        // std's sleep is a wasi:clocks pollable: the host waits, the guest's compute budget does not.
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    fn random(&mut self) -> u64 {
        super::wasi::random::random::get_random_u64()
    }
}
