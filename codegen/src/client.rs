//! Running progenitor on a pruned spec, turning its panics and errors into messages.

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How the generated client plugs into the runtime.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Type kept inside each `Client` and handed to the hooks (e.g. `crate::http::Transport`).
    /// `None`: plain clients with progenitor's default hooks.
    pub inner_type: Option<TokenStream>,
}

/// Generates the progenitor client for a (pruned, patched) spec document.
pub fn generate_client(doc: &Value, opts: &ClientOptions) -> Result<TokenStream, String> {
    let api: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("the patched spec is not valid OpenAPI 3.0: {e}"))?;
    let mut settings = GenerationSettings::new();
    settings.with_interface(InterfaceStyle::Positional);
    if let Some(inner) = &opts.inner_type {
        settings
            .with_inner_type(inner.clone())
            .with_hooks(HooksMode::Expected);
    }
    let result = quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            let mut generator = Generator::new(&settings);
            generator.generate_tokens(&api)
        }))
    });
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor could not generate it: {e}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            Err(format!("progenitor panicked on it: {}", first_line(msg)))
        }
    }
}

fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or(s);
    if line.len() > 300 {
        let mut end = 300;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        &line[..end]
    } else {
        line
    }
}

/// Runs `f` with the default panic message suppressed (panics are reported as errors instead).
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    use std::sync::Mutex;
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(previous);
    out
}
