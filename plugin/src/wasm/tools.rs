//! The exported `tools` interface (agent mode).

use super::Component;
use super::call::{to_wit, with_client};
use super::exports::woo::connector::tools as wit_tools;
use super::woo::connector::types as wit;
use crate::client::Error;
use crate::tools;

impl wit_tools::Guest for Component {
    fn list_tools() -> Vec<wit_tools::ToolInfo> {
        tools::TOOLS
            .iter()
            .map(|t| wit_tools::ToolInfo {
                name: t.name.to_string(),
                title: t.title.to_string(),
                description: t.description.to_string(),
                annotations: wit_tools::ToolAnnotations {
                    read_only: t.annotations.read_only,
                    destructive: t.annotations.destructive,
                    idempotent: t.annotations.idempotent,
                    open_world: t.annotations.open_world,
                },
                input_schema: super::json_text(&(t.schema)()),
                output_schema: t.output_schema.map(|s| super::json_text(&s())),
            })
            .collect()
    }

    fn call_tool(name: String, arguments: String) -> Result<String, wit::Error> {
        if arguments.len() > tools::MAX_ARGUMENT_BYTES {
            return Err(to_wit(Error::invalid("arguments", "are larger than 1 MiB")));
        }
        let args: serde_json::Value = serde_json::from_str(&arguments)
            .map_err(|e| to_wit(Error::invalid("arguments", format!("are not JSON: {e}"))))?;
        if tools::find(&name).is_none() {
            return Err(to_wit(Error::invalid("name", format!("there is no tool `{name}`"))));
        }
        with_client(|c, host| tools::call(c, host, &name, &args)).map(|v| super::json_text(&v))
    }
}
