//! Paging: every WooCommerce list answers one [`Page`] at a time, at most
//! [`MAX_PER_PAGE`] records, with the list's totals in `X-WP-Total` and
//! `X-WP-TotalPages`. The next page is asked for by number, never through
//! the `Link` header (it repeats the credentials).

use super::request::{ApiRequest, Response};
use super::transport::Transport;
use super::{Client, Error, InFlight};
use serde_json::Value;
use std::collections::VecDeque;

/// WooCommerce's largest page.
pub const MAX_PER_PAGE: u32 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T = Value> {
    /// The page number (1-based).
    pub page: u32,
    /// The page's records.
    pub items: Vec<T>,
    /// Records in the whole list (`X-WP-Total`).
    pub total: u64,
    /// Pages in the whole list (`X-WP-TotalPages`).
    pub total_pages: u64,
}

impl Page {
    /// Page `page` of a list, from the store's answer (totals 0 when the
    /// store does not send them).
    pub fn from_response(page: u32, r: Response) -> Result<Page, Error> {
        let (total, total_pages) = (r.total.unwrap_or(0), r.total_pages.unwrap_or(0));
        Ok(Page { page, items: list_items(r.body)?, total, total_pages })
    }
}

/// The records of a list answer: its body must be a JSON list.
pub fn list_items(body: Value) -> Result<Vec<Value>, Error> {
    match body {
        Value::Array(items) => Ok(items),
        other => Err(Error::Transport(format!(
            "expected a JSON list from the store, got {}",
            crate::read::json_type_name(&other)
        ))),
    }
}

impl<T: Transport> Client<T> {
    /// Walk every page of a list endpoint at `per_page=100`, `concurrency`
    /// pages in flight, starting after `done_pages` pages that an earlier run
    /// already committed. `on_page` is called in page order.
    ///
    /// Totals come from the first page read (a page past the end reports 0 on
    /// HPOS lists).
    pub fn for_each_page(
        &mut self,
        path: &str,
        query: &[(String, String)],
        concurrency: usize,
        done_pages: u32,
        mut on_page: impl FnMut(&mut Self, Page) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let req = |page: u32| {
            let mut q = query.to_vec();
            q.push(("per_page".into(), MAX_PER_PAGE.to_string()));
            q.push(("page".into(), page.to_string()));
            ApiRequest::get(path, q)
        };
        let first_page = done_pages + 1;
        let first = Page::from_response(first_page, self.send(&req(first_page))?)?;
        let (total, total_pages) = (first.total, first.total_pages);
        let last_page = total_pages.min(u32::MAX as u64) as u32;
        let more = !first.items.is_empty() && first_page < last_page;
        on_page(self, first)?;
        if !more {
            return Ok(());
        }
        // A sliding window: `target` pages stay on the wire, one more is
        // sent as each arrives, and pages are handed on in order while the
        // next ones travel. A page that meets a 429 halves `target`.
        let mut target = concurrency.max(1);
        let mut next = first_page + 1;
        let mut flying: VecDeque<(u32, InFlight<T::Pending>)> = VecDeque::new();
        let refill =
            |client: &mut Self, flying: &mut VecDeque<(u32, InFlight<T::Pending>)>, next: &mut u32, target: usize| {
                while flying.len() < target && *next <= last_page {
                    flying.push_back((*next, client.start(vec![req(*next)])));
                    *next += 1;
                }
            };
        refill(self, &mut flying, &mut next, target);
        while let Some((page, flight)) = flying.pop_front() {
            let limited = self.rate_limited;
            let answer = self.complete(flight).pop().unwrap_or_else(|| Err(Error::Transport("no answer".into())));
            if self.rate_limited > limited {
                target = (target / 2).max(1);
            }
            refill(self, &mut flying, &mut next, target);
            let items = list_items(answer?.body)?;
            let empty = items.is_empty();
            on_page(self, Page { page, items, total, total_pages })?;
            if empty {
                return Ok(());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::client::HttpRequest;
    use crate::client::fake::json;
    use crate::client::tests::client;

    #[test]
    fn paging_across_pages_reads_every_page_once_by_page_number() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 =
                r.path_and_query.split("&page=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
            let body = match page {
                1 => "[{\"id\":1},{\"id\":2}]",
                2 => "[{\"id\":3},{\"id\":4}]",
                3 => "[{\"id\":5}]",
                _ => "[]",
            };
            json(
                200,
                body,
                &[
                    ("X-WP-Total", "5"),
                    ("x-wp-totalpages", "3"),
                    ("Link", "<https://x/?consumer_secret=cs>; rel=\"next\""),
                ],
            )
        }));
        let mut seen = vec![];
        c.for_each_page("/customers", &[], 2, 0, |_, p| {
            assert_eq!((p.total, p.total_pages), (5, 3));
            seen.extend(p.items.iter().map(|i| i["id"].as_u64().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert_eq!(c.requests, 3);
        assert!(c.transport.sent.iter().all(|r| r.path_and_query.contains("per_page=100")));
    }

    #[test]
    fn paging_resumes_after_committed_pages() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 = r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap();
            json(200, &format!("[{{\"id\":{page}}}]"), &[("X-WP-Total", "3"), ("X-WP-TotalPages", "3")])
        }));
        let mut pages = vec![];
        c.for_each_page("/orders", &[], 4, 1, |_, p| {
            pages.push(p.page);
            Ok(())
        })
        .unwrap();
        assert_eq!(pages, [2, 3]);
    }

    #[test]
    fn paging_past_the_end_is_an_empty_200_and_ends_the_walk() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[]", &[("X-WP-Total", "0"), ("X-WP-TotalPages", "0")])));
        let mut calls = 0;
        c.for_each_page("/orders", &[], 4, 7, |_, p| {
            calls += 1;
            assert!(p.items.is_empty());
            Ok(())
        })
        .unwrap();
        assert_eq!((calls, c.requests), (1, 1));
    }

    #[test]
    fn paging_a_list_answer_that_is_not_a_list_is_an_error() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "{\"id\":1}", &[])));
        let e = c.for_each_page("/orders", &[], 1, 0, |_, _| Ok(())).unwrap_err();
        assert!(e.to_string().contains("expected a JSON list"), "{e}");
    }

    #[test]
    fn paging_a_429_halves_the_pages_in_flight() {
        let mut c = client("https://shop.example.com");
        let calls = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = calls.clone();
        c.transport.router = Some(Box::new(move |r: &HttpRequest| {
            seen.set(seen.get() + 1);
            let page: u32 = r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap();
            // The first try of page 3 is refused: slow down.
            if page == 3 && seen.get() == 3 {
                return json(429, r#"{"code":"too_many","message":"slow down"}"#, &[("Retry-After", "1")]);
            }
            json(200, &format!("[{{\"id\":{page}}}]"), &[("X-WP-Total", "20"), ("X-WP-TotalPages", "20")])
        }));
        let mut pages = vec![];
        c.for_each_page("/orders", &[], 4, 0, |_, p| {
            pages.push(p.page);
            Ok(())
        })
        .unwrap();
        assert_eq!(pages, (1..=20).collect::<Vec<_>>());
        assert_eq!(c.rate_limited, 1);
        // 2-5 fly together, page 3's 429 is retried; from then on at most 2 fly.
        let sent: Vec<u32> = c
            .transport
            .sent
            .iter()
            .map(|r| r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(&sent[..7], &[1, 2, 3, 4, 5, 6, 3], "{sent:?}");
        let flying = &c.transport.in_flight;
        assert_eq!(flying[..5], [1, 1, 2, 3, 4], "four in flight before the 429: {flying:?}");
        assert!(flying[8..].iter().all(|n| *n <= 2), "two at most after it: {flying:?}");
    }
}
