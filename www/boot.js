// Starts the app: a file, not an inline script, because the Content-Security-Policy allows
// only LetsPost's own script files. `cargo xtask build` puts it beside the main module.
import init from "./letspost.js";
init({ module_or_path: new URL("letspost_bg.wasm", import.meta.url) });
