//! `GET /system_status`: what the connector reads of the store's environment.

use super::http::{Body, Ctx};
use super::rest::{fields, json_response};
use http::Response;
use serde_json::json;

pub(super) fn system_status(ctx: &Ctx) -> Response<Body> {
    let body = json!({
        "environment": {
            "home_url": format!("{}://{}", ctx.scheme, ctx.host), "site_url": format!("{}://{}", ctx.scheme, ctx.host),
            "store_id": "", "version": ctx.state.version, "log_directory": "", "log_directory_writable": true,
            "wp_version": "7.1", "wp_multisite": false, "wp_memory_limit": 268435456, "wp_debug_mode": false,
            "wp_cron": true, "language": "en_US", "external_object_cache": null, "server_info": "nginx",
            "php_version": "8.2", "mysql_version": "10.11", "default_timezone": "UTC",
        },
        "database": {}, "active_plugins": [], "inactive_plugins": [], "dropins_mu_plugins": {}, "theme": {},
        "settings": {"currency": "USD", "currency_symbol": "$"}, "security": {"secure_connection": ctx.scheme == "https"}, "pages": [],
        "post_type_counts": [], "logging": {},
    });
    json_response(200, &fields(ctx, body))
}
