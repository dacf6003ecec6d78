//! `woo mcp`: the component's tools over the Model Context Protocol (stdio),
//! with the official Rust SDK. Tools are known only at run time (the component
//! lists them), so the handler serves them dynamically.

use crate::runtime::{Runtime, Session};
use crate::session;
use anyhow::Result;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientJsonRpcMessage, ClientRequest, ContentBlock,
    Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use std::sync::Arc;

/// The MCP server state: how to open a session on the connection, and the
/// session kept between calls.
pub struct WooMcp {
    runtime: Runtime,
    db: String,
    connection: String,
    tools: Vec<Tool>,
    /// An instance that answered its last call, kept for the next one: a call
    /// then costs one round trip to the store, not an instance, a storage
    /// handle and a status read more (about 5 ms). A call that fails in the
    /// host (a trap, a storage error) drops it.
    idle: tokio::sync::Mutex<Option<Kept>>,
}

/// The session kept between calls, the store it was opened for, and what
/// the database's other writers had done when that was last checked.
struct Kept {
    session: Session,
    store: String,
    others: Option<i64>,
}

impl WooMcp {
    /// The server for `connection` of `db`, with the tools the component lists.
    pub async fn new(runtime: Runtime, db: String, connection: String) -> Result<WooMcp> {
        let storage = crate::storage::open(&db)?;
        let mut s = session::open(&runtime, storage, &connection, None, None).await?;
        let listed = s.bindings.woo_connector_tools().call_list_tools(&mut s.store).await?;
        let tools = listed.into_iter().map(mcp_tool).collect();
        Ok(WooMcp { runtime, db, connection, tools, idle: tokio::sync::Mutex::new(None) })
    }

    /// The kept session if the connection still names the store it was opened
    /// for (another `woo connect` may have changed it), else a new one. When
    /// the database can tell that nobody else has written to it since the last
    /// check (SQLite), the check is skipped: the store cannot have changed.
    async fn session(&self) -> Result<Kept> {
        if let Some(mut k) = self.idle.lock().await.take() {
            let others = k.session.storage().others_version().ok().flatten();
            if others.is_some() && others == k.others {
                return Ok(k);
            }
            if k.session.connection_status().await.is_ok_and(|info| info.store_url == k.store) {
                k.others = others;
                return Ok(k);
            }
        }
        let storage = crate::storage::open(&self.db)?;
        let mut session = session::open(&self.runtime, storage, &self.connection, None, None).await?;
        let others = session.storage().others_version().ok().flatten();
        let store = session.connection_status().await?.store_url;
        Ok(Kept { session, store, others })
    }

    async fn call(&self, name: &str, args: &str) -> Result<Result<String, String>> {
        let mut k = self.session().await?;
        k.session.begin_call();
        let r = k.session.bindings.woo_connector_tools().call_call_tool(&mut k.session.store, name, args).await?;
        *self.idle.lock().await = Some(k);
        Ok(r.map_err(|e| crate::wit::error_message(&e)))
    }
}

/// The component's tool as MCP lists it: its title, annotations and, when its
/// result has a fixed shape, the output schema.
fn mcp_tool(t: crate::wit::tools::ToolInfo) -> Tool {
    let object = |s: &str| Arc::new(serde_json::from_str::<serde_json::Map<String, Value>>(s).unwrap_or_default());
    let a = &t.annotations;
    let annotations = ToolAnnotations::new()
        .read_only(a.read_only)
        .destructive(a.destructive)
        .idempotent(a.idempotent)
        .open_world(a.open_world);
    let mut tool = Tool::new(t.name, t.description, object(&t.input_schema))
        .with_title(t.title.clone())
        .with_annotations(annotations);
    if let Some(schema) = &t.output_schema {
        tool = tool.with_raw_output_schema(object(schema));
    }
    tool
}

/// A successful call's answer: the JSON as text and, for a tool that declares
/// an output schema, as `structuredContent` too (MCP wants it there then).
fn success(tool: &Tool, json: String) -> CallToolResult {
    let structured = match tool.output_schema {
        Some(_) => serde_json::from_str::<Value>(&json).ok().filter(Value::is_object),
        None => None,
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(json)]);
    result.structured_content = structured;
    result
}

impl ServerHandler for WooMcp {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::default();
        info.capabilities = ServerCapabilities::builder().enable_tools().build();
        info.server_info = Implementation::new("woo-connector", env!("CARGO_PKG_VERSION"));
        info.instructions = Some("Tools for one connected WooCommerce store: list/get/create/update orders, products, customers, refunds, notes, stock. Money is given as decimal strings.".into());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = self.tools.iter().find(|t| t.name == request.name) else {
            return Ok(
                CallToolResult::error(vec![ContentBlock::text(format!("there is no tool `{}`", request.name))]).into()
            );
        };
        let args = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let result = match self.call(&request.name, &args).await {
            Ok(Ok(json)) => success(tool, json),
            Ok(Err(message)) => CallToolResult::error(vec![ContentBlock::text(message)]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(format!("the host failed: {e:#}"))]),
        };
        Ok(result.into())
    }
}

/// Serve MCP on stdin/stdout until the client goes away.
///
/// rmcp ignores a line that is not JSON, answers a message it cannot read
/// without its `id`, and takes a known method with bad params for an unknown
/// one (-32601). So each line is screened here first ([`screen`]): what
/// JSON-RPC 2.0 says to refuse is answered directly, the rest goes on to rmcp
/// through a pipe, and one writer puts both on stdout a whole line at a time.
pub async fn run(runtime: Runtime, db: String, connection: String) -> Result<()> {
    let server = WooMcp::new(runtime, db, connection).await?;
    let (to_rmcp, rmcp_in) = tokio::io::duplex(1 << 16);
    let (rmcp_out, from_rmcp) = tokio::io::duplex(1 << 16);
    let stdout = Arc::new(tokio::sync::Mutex::new(tokio::io::stdout()));
    let forward = tokio::spawn(forward_lines(from_rmcp, stdout.clone()));
    tokio::spawn(screen_input(tokio::io::BufReader::new(tokio::io::stdin()), to_rmcp, stdout));
    let service =
        server.serve((rmcp_in, rmcp_out)).await.map_err(|e| anyhow::anyhow!("MCP initialisation failed: {e}"))?;
    service.waiting().await.map_err(|e| anyhow::anyhow!("MCP session ended with an error: {e}"))?;
    // rmcp has closed its end: what it wrote is on stdout once this returns.
    let _ = forward.await;
    Ok(())
}

/// Lines longer than this are refused (rmcp's own limit).
const MAX_LINE: usize = 16 * 1024 * 1024;

/// The JSON-RPC 2.0 error codes the screen answers with.
mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
}

/// The methods this server serves: a request for one of them whose params
/// rmcp cannot read is -32602 (rmcp would take it for an unknown method).
const SERVED_METHODS: [&str; 4] = ["initialize", "ping", "tools/list", "tools/call"];

/// What to do with one line from the client.
#[derive(Debug, PartialEq)]
pub enum Screened {
    /// A well-formed message: rmcp handles it.
    Pass,
    /// Nothing to answer (a blank line, a notification rmcp cannot read).
    Drop,
    /// Refused: this JSON-RPC error answers it.
    Refuse(Value),
}

fn refusal(id: Value, code: i64, message: &str, detail: String) -> Screened {
    Screened::Refuse(
        serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message, "data": detail}}),
    )
}

/// Screen one line (without its newline) as JSON-RPC 2.0 wants: not JSON is
/// -32700 with `id: null`; not a request, notification or response is -32600
/// with the request's `id` when it can be read (else null); a served method's
/// unreadable params (`tools/call` without `name`, array `arguments`) -32602.
pub fn screen(line: &[u8]) -> Screened {
    let line = line.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(line).trim_ascii();
    if line.is_empty() {
        return Screened::Drop;
    }
    let message: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return refusal(Value::Null, code::PARSE_ERROR, "Parse error", e.to_string()),
    };
    let invalid = |id: Value, detail: &str| refusal(id, code::INVALID_REQUEST, "Invalid Request", detail.into());
    let Value::Object(fields) = &message else {
        return invalid(Value::Null, "a message is one JSON object (batches are not supported)");
    };
    let id = match fields.get("id") {
        None => None,
        Some(id @ Value::String(_)) => Some(id.clone()),
        Some(id @ Value::Number(n)) if n.is_i64() => Some(id.clone()),
        Some(id @ Value::Number(_)) => return invalid(id.clone(), "`id` must be a string or an integer"),
        Some(_) => return invalid(Value::Null, "`id` must be a string or an integer"),
    };
    let reply_id = id.clone().unwrap_or(Value::Null);
    if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(reply_id, "`jsonrpc` must be \"2.0\"");
    }
    let method = match fields.get("method") {
        Some(Value::String(m)) => Some(m.as_str()),
        Some(_) => return invalid(reply_id, "`method` must be a string"),
        None => None,
    };
    if fields.get("params").is_some_and(|p| !p.is_object() && !p.is_array()) {
        return match (method, id) {
            (Some(_), None) => Screened::Drop,
            _ => invalid(reply_id, "`params` must be an object"),
        };
    }
    let read = serde_json::from_value::<ClientJsonRpcMessage>(message.clone());
    match (method, id, read) {
        // A request.
        (Some(m), Some(id), Ok(ClientJsonRpcMessage::Request(r))) => {
            if matches!(r.request, ClientRequest::CustomRequest(_)) && SERVED_METHODS.contains(&m) {
                let detail = match m {
                    "tools/call" => {
                        "`tools/call` needs `name` (a string) and, if given, `arguments` (an object)".into()
                    }
                    _ => format!("the params of `{m}` do not match its schema"),
                };
                refusal(id, code::INVALID_PARAMS, "Invalid params", detail)
            } else {
                Screened::Pass
            }
        }
        (Some(m), Some(id), _) if SERVED_METHODS.contains(&m) => {
            refusal(id, code::INVALID_PARAMS, "Invalid params", format!("the params of `{m}` do not match its schema"))
        }
        (Some(m), Some(id), _) => {
            refusal(id, code::METHOD_NOT_FOUND, "Method not found", format!("there is no method `{m}`"))
        }
        // A notification: never answered, even when it cannot be read.
        (Some(_), None, Ok(ClientJsonRpcMessage::Notification(_))) => Screened::Pass,
        (Some(_), None, _) => Screened::Drop,
        // A response to a request of ours.
        (None, Some(_), Ok(ClientJsonRpcMessage::Response(_) | ClientJsonRpcMessage::Error(_))) => Screened::Pass,
        (None, _, _) => invalid(reply_id, "a request needs a `method` (a string)"),
    }
}

/// Read the client's lines, answer the refused ones, pass the others to rmcp.
/// Ends (closing rmcp's input) when stdin ends or stdout is gone.
async fn screen_input<R>(
    mut input: R,
    mut to_rmcp: tokio::io::DuplexStream,
    stdout: Arc<tokio::sync::Mutex<tokio::io::Stdout>>,
) where
    R: tokio::io::AsyncBufRead + Unpin,
{
    use tokio::io::AsyncWriteExt;
    let mut line = Vec::new();
    loop {
        let verdict = match read_line(&mut input, &mut line).await {
            Ok(Line::Eof) | Err(_) => break,
            Ok(Line::TooLong) => refusal(
                Value::Null,
                code::INVALID_REQUEST,
                "Invalid Request",
                format!("a message is at most {MAX_LINE} bytes"),
            ),
            Ok(Line::Read) => screen(&line),
        };
        let sent = match verdict {
            Screened::Pass => {
                line.push(b'\n');
                to_rmcp.write_all(&line).await
            }
            Screened::Drop => Ok(()),
            Screened::Refuse(answer) => write_line(&stdout, answer.to_string().as_bytes()).await,
        };
        if sent.is_err() {
            break;
        }
    }
    let _ = to_rmcp.shutdown().await;
}

/// Copy rmcp's lines to stdout, each whole.
async fn forward_lines(from_rmcp: tokio::io::DuplexStream, stdout: Arc<tokio::sync::Mutex<tokio::io::Stdout>>) {
    let mut reader = tokio::io::BufReader::new(from_rmcp);
    let mut line = Vec::new();
    while let Ok(Line::Read | Line::TooLong) = read_line(&mut reader, &mut line).await {
        if write_line(&stdout, &line).await.is_err() {
            // The client is gone; dropping the reader ends rmcp's writes too.
            break;
        }
    }
}

async fn write_line(stdout: &tokio::sync::Mutex<tokio::io::Stdout>, line: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut out = stdout.lock().await;
    out.write_all(line).await?;
    out.write_all(b"\n").await?;
    out.flush().await
}

enum Line {
    Read,
    TooLong,
    Eof,
}

/// The next line into `buf` (without its newline), at most [`MAX_LINE`]
/// bytes kept; a last line without a newline counts.
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(input: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    use tokio::io::AsyncBufReadExt;
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(if !any {
                Line::Eof
            } else if too_long {
                Line::TooLong
            } else {
                Line::Read
            });
        }
        any = true;
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long && buf.len() + chunk.len() > MAX_LINE {
            too_long = true;
            buf.clear();
        }
        if !too_long {
            buf.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(chunk.len());
        input.consume(used);
        if done.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Read });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(s: Screened) -> (Value, i64) {
        match s {
            Screened::Refuse(v) => (v["id"].clone(), v["error"]["code"].as_i64().unwrap_or(0)),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn jsonrpc_screen_passes_well_formed_messages() {
        for m in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            json!({"jsonrpc": "2.0", "id": "a", "method": "tools/call", "params": {"name": "list-orders", "arguments": {"per_page": 2}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 9, "method": "resources/list"}),
            json!({"jsonrpc": "2.0", "id": 5, "result": {}}),
        ] {
            assert_eq!(screen(m.to_string().as_bytes()), Screened::Pass, "{m}");
        }
        assert_eq!(screen(b"   \r"), Screened::Drop);
    }

    #[test]
    fn jsonrpc_screen_refuses_as_the_spec_says() {
        assert_eq!(error_of(screen(b"{not json")), (Value::Null, -32700));
        assert_eq!(error_of(screen(b"[]")), (Value::Null, -32600));
        assert_eq!(error_of(screen(br#"{"jsonrpc":"2.0","id":7}"#)), (json!(7), -32600));
        assert_eq!(error_of(screen(br#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#)), (Value::Null, -32600));
        assert_eq!(error_of(screen(br#"{"jsonrpc":"1.0","id":"q","method":"ping"}"#)), (json!("q"), -32600));
        assert_eq!(
            error_of(screen(br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"arguments":{}}}"#)),
            (json!(3), -32602)
        );
        assert_eq!(
            error_of(screen(
                br#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x","arguments":[1]}}"#
            )),
            (json!(4), -32602)
        );
        // A notification is never answered, even a bad one.
        assert!(!matches!(
            screen(br#"{"jsonrpc":"2.0","method":"tools/call","params":{"arguments":[]}}"#),
            Screened::Refuse(_)
        ));
        assert!(!matches!(
            screen(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#),
            Screened::Refuse(_)
        ));
    }
}
