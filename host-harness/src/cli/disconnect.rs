//! `woo disconnect`: forget the credentials, cursors and host settings of
//! the connection; its records stay.

use super::app::App;
use super::exit::describe;
use crate::session::HOST_BUCKET;
use anyhow::Result;

pub(crate) async fn run(app: &App) -> Result<()> {
    // Forgetting credentials must work when the key to open them is lost.
    let storage = match &app.db {
        Some(db) => crate::storage::open_to_forget_credentials(db)?,
        None => app.storage()?,
    };
    let mut s = app.session_on(storage, None).await?;
    s.begin_call();
    s.bindings.woo_connector_connection().call_disconnect(&mut s.store).await?.map_err(|e| describe(&e))?;
    let storage = s.storage();
    storage.kv_delete(&app.connection, HOST_BUCKET, "ca_cert")?;
    storage.kv_delete(&app.connection, HOST_BUCKET, crate::worker::IMPORT_PENDING_KEY)?;
    storage.unschedule(&app.connection)?;
    eprintln!("disconnected; records are kept");
    Ok(())
}
