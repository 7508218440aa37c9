//! Where a server process is in its life, for `/readyz` and the drain.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Listening, connecting to the database.
    Starting = 0,
    /// Waiting for or applying migrations.
    Migrating = 1,
    /// Taking traffic.
    Ready = 2,
    /// SIGTERM received: finishing what is in flight, taking nothing new.
    Draining = 3,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Migrating => "migrating",
            Self::Ready => "ready",
            Self::Draining => "draining",
        }
    }
}

/// The phase, shared by the server's tasks; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Life(Arc<AtomicU8>);

impl Life {
    pub fn get(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Migrating,
            2 => Phase::Ready,
            _ => Phase::Draining,
        }
    }

    pub fn set(&self, p: Phase) {
        self.0.store(p as u8, Ordering::Release);
    }
}

/// Tells systemd where the server is (`Type=notify`): `READY=1` once the
/// database is migrated and traffic is taken, `STOPPING=1` when the drain
/// begins. Outside systemd (no `NOTIFY_SOCKET`) it does nothing; a failure
/// to tell is logged, never fatal.
pub fn notify_systemd(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send_notify(&path, state) {
        tracing::warn!("sd_notify {state:?}: {e}");
    }
}

#[cfg(target_os = "linux")]
fn send_notify(path: &std::ffi::OsStr, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    // systemd's own socket is abstract (`@…`); tests use a path.
    let addr = match path.as_bytes().strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name)?,
        None => SocketAddr::from_pathname(path)?,
    };
    UnixDatagram::unbound()?.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn send_notify(_path: &std::ffi::OsStr, _state: &str) -> std::io::Result<()> {
    Err(std::io::Error::other("systemd runs on Linux only"))
}
