//! `woo mcp`: the component's tools over the Model Context Protocol (stdio),
//! with the official Rust SDK. Tools are known only at run time (the component
//! lists them), so the handler serves them dynamically.

use crate::runtime::{Runtime, wit_types};
use crate::session;
use anyhow::Result;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use std::sync::Arc;

/// The MCP server state: how to open a session on the connection.
pub struct WooMcp {
    runtime: Runtime,
    db: String,
    connection: String,
    tools: Vec<Tool>,
}

/// A readable message for an error of the component (never a credential).
pub fn error_text(e: &wit_types::Error) -> String {
    use wit_types::Error as E;
    let remote = |what: &str, r: &wit_types::RemoteError| format!("{what} (HTTP {} {}): {}", r.status, r.code, r.message);
    match e {
        E::Auth(r) => remote("authentication failed", r),
        E::NotFound(r) => remote("not found", r),
        E::RateLimited(r) => remote("rate limited", r),
        E::Remote(r) => remote("store error", r),
        E::InvalidInput(i) => format!("invalid input `{}`: {}", i.field, i.message),
        E::Transport(m) => format!("could not reach the store: {m}"),
        E::ReconnectRequired(m) => format!("reconnect required: {m}"),
        E::NotConnected => "no store is connected: run `woo connect` first".into(),
    }
}

impl WooMcp {
    pub async fn new(runtime: Runtime, db: String, connection: String) -> Result<WooMcp> {
        let storage = crate::storage::open(&db)?;
        let mut s = session::open(&runtime, storage, &connection, None, None).await?;
        let listed = s.bindings.woo_connector_tools().call_list_tools(&mut s.store).await?;
        let tools = listed
            .into_iter()
            .map(|t| {
                let schema: serde_json::Map<String, Value> = serde_json::from_str(&t.input_schema).unwrap_or_default();
                Tool::new(t.name, t.description, Arc::new(schema))
            })
            .collect();
        Ok(WooMcp { runtime, db, connection, tools })
    }

    async fn call(&self, name: &str, args: &str) -> Result<Result<String, String>> {
        let storage = crate::storage::open(&self.db)?;
        let mut s = session::open(&self.runtime, storage, &self.connection, None, None).await?;
        s.begin_call();
        let r = s.bindings.woo_connector_tools().call_call_tool(&mut s.store, name, args).await?;
        Ok(r.map_err(|e| error_text(&e)))
    }
}

impl ServerHandler for WooMcp {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::default();
        info.capabilities = ServerCapabilities::builder().enable_tools().build();
        info.server_info = Implementation::new("woo-connector", env!("CARGO_PKG_VERSION"));
        info.instructions = Some("Tools for one connected WooCommerce store: list/get/create/update orders, products, customers, refunds, notes, stock. Money is given as decimal strings.".into());
        info
    }

    async fn list_tools(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(&self, request: CallToolRequestParams, _context: RequestContext<RoleServer>) -> Result<CallToolResponse, McpError> {
        if !self.tools.iter().any(|t| t.name == request.name) {
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!("there is no tool `{}`", request.name))]).into());
        }
        let args = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let result = match self.call(&request.name, &args).await {
            Ok(Ok(json)) => CallToolResult::success(vec![ContentBlock::text(json)]),
            Ok(Err(message)) => CallToolResult::error(vec![ContentBlock::text(message)]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(format!("the host failed: {e:#}"))]),
        };
        Ok(result.into())
    }
}

/// Serve MCP on stdin/stdout until the client goes away.
pub async fn run(runtime: Runtime, db: String, connection: String) -> Result<()> {
    let server = WooMcp::new(runtime, db, connection).await?;
    let service = server.serve(rmcp::transport::stdio()).await.map_err(|e| anyhow::anyhow!("MCP initialisation failed: {e}"))?;
    service.waiting().await.map_err(|e| anyhow::anyhow!("MCP session ended with an error: {e}"))?;
    Ok(())
}
