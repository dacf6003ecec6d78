//! `/coupons`: the store's coupons, listed (the `list-coupons` tool reads
//! them).

use super::http::{Body, Ctx};
use super::rest::list;
use http::Response;

pub(super) fn list_coupons(ctx: &Ctx) -> Response<Body> {
    let items = ctx.state.data.read().map(|d| d.coupons.clone()).unwrap_or_default();
    list(ctx, items, "date", "desc", false)
}
