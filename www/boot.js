// Starts the app: a file, not an inline script, because the Content-Security-Policy allows
// only LetsPost's own script files. `cargo xtask build` puts it beside the main module.
//
// The shell paints first, then the wasm is fetched: the main module by init, the route's
// chunks (listed by the page as <meta name="letspost-wasm">) as preloads beside it, so they
// download side by side rather than once the main module asks for them. As preloads in the
// head they raced the first paint and, on a fast line, won (see route_wasm in xtask's build.rs).
import init from "./letspost.js";

let started = false;
async function start() {
  if (started) return;
  started = true;
  init({ module_or_path: new URL("letspost_bg.wasm", import.meta.url) });
  // Two links a task: each is a request the main thread sets up, and all twenty in one task
  // were a long task on Lighthouse's phone (45 ms here, four times that there; four a task
  // still made 57–89 ms ones).
  const wasm = [...document.querySelectorAll('meta[name="letspost-wasm"]')];
  for (let i = 0; i < wasm.length; i += 2) {
    if (i > 0) await new Promise((next) => setTimeout(next, 0));
    for (const meta of wasm.slice(i, i + 2)) {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.type = "application/wasm";
      link.crossOrigin = "anonymous";
      link.href = meta.content;
      document.head.append(link);
    }
  }
}

const paintTiming = typeof PerformanceObserver === "function" && (PerformanceObserver.supportedEntryTypes || []).includes("paint");
if (document.visibilityState === "hidden") {
  // A background tab paints nothing until it is shown.
  start();
} else if (paintTiming) {
  // Once the first contentful paint is on screen (an animation frame alone is no promise: on
  // Lighthouse's runs it came 170 ms before the paint one time in three). Three seconds at
  // most, should the entry never come (a loaded machine can take over one to paint).
  new PerformanceObserver((paints) => {
    if (paints.getEntriesByName("first-contentful-paint").length > 0) start();
  }).observe({ type: "paint", buffered: true });
  setTimeout(start, 3000);
} else {
  requestAnimationFrame(() => setTimeout(start, 0));
}
document.addEventListener("visibilitychange", start, { once: true });
