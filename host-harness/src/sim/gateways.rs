//! `/payment_gateways` (their settings answered as stored, secrets included,
//! as a real store answers an admin key) and `/settings` (groups and options).

use super::admin::{any_links, whole};
use super::http::{Body, Ctx};
use super::rest::{fields, invalid_param, json_response, wc_error};
use http::Response;
use serde_json::{Value, json};

pub(super) fn list_gateways(ctx: &Ctx) -> Response<Body> {
    let items = ctx.state.data.read().map(|d| d.admin.gateways.clone()).unwrap_or_default();
    whole(ctx, "/payment_gateways", items)
}

fn missing_gateway() -> Response<Body> {
    wc_error(404, "woocommerce_rest_payment_gateway_invalid", "Resource does not exist.")
}

pub(super) fn get_gateway(ctx: &Ctx, id: &str) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| d.admin.gateways.iter().find(|g| g["id"] == id).cloned());
    match found {
        Some(g) => json_response(200, &fields(ctx, any_links(ctx, "/payment_gateways", g))),
        None => missing_gateway(),
    }
}

/// `PUT /payment_gateways/<id>`: enabled, title, description, order and
/// settings values; the title is its `title` setting too.
pub(super) fn update_gateway(ctx: &Ctx, id: &str) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(o) = b.get("order")
        && !o.is_u64()
    {
        return invalid_param("order", "order is not of type integer.");
    }
    if let Some(e) = b.get("enabled")
        && !e.is_boolean()
    {
        return invalid_param("enabled", "enabled is not of type boolean.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(g) = d.admin.gateways.iter_mut().find(|g| g["id"] == id) else { return missing_gateway() };
    for k in ["enabled", "title", "description", "order"] {
        if let Some(v) = b.get(k) {
            g[k] = v.clone();
        }
    }
    if let Some(t) = b.get("title") {
        g["settings"]["title"]["value"] = t.clone();
    }
    if let Some(Value::Object(s)) = b.get("settings") {
        for (k, v) in s {
            if g["settings"].get(k).is_some() {
                g["settings"][k]["value"] = v.clone();
            }
        }
    }
    let g = g.clone();
    drop(d);
    json_response(200, &fields(ctx, any_links(ctx, "/payment_gateways", g)))
}

/// `/settings`: the groups, without their options.
pub(super) fn list_groups(ctx: &Ctx) -> Response<Body> {
    let base = format!("{}://{}/wp-json/wc/v3/settings", ctx.scheme, ctx.host);
    let groups: Vec<Value> = ctx
        .state
        .data
        .read()
        .map(|d| {
            d.admin
                .settings
                .iter()
                .map(|g| {
                    let mut g = g.clone();
                    if let Some(m) = g.as_object_mut() {
                        m.remove("options");
                    }
                    g["_links"] = json!({"options": [{"href": format!("{base}/{}", g["id"].as_str().unwrap_or(""))}]});
                    fields(ctx, g)
                })
                .collect()
        })
        .unwrap_or_default();
    // WordPress sends no totals on this one.
    json_response(200, &Value::Array(groups))
}

/// `/settings/<group>`: the group's options, each with its links. The
/// `integration` group is listed but answers 404 when nothing registers
/// options in it, as on a real store; here it holds a license key instead.
pub(super) fn group_options(ctx: &Ctx, group: &str) -> Response<Body> {
    let found = ctx
        .state
        .data
        .read()
        .ok()
        .and_then(|d| d.admin.settings.iter().find(|g| g["id"] == group).map(|g| g["options"].clone()));
    let Some(Value::Array(options)) = found else {
        return wc_error(404, "rest_setting_setting_group_invalid", "Invalid setting group.");
    };
    let items: Vec<Value> =
        options.into_iter().map(|o| fields(ctx, any_links(ctx, &format!("/settings/{group}"), o))).collect();
    json_response(200, &Value::Array(items))
}
