// A small static file server on 127.0.0.1 for www/, js/, pkg/ and pkg-kv/ (used by `npm start` and the e2e tests).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
  ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8", ".png": "image/png",
};

/**
 * Serves `root`'s folders `www` (as /), `js`, `pkg` and `pkg-kv`; `extra` maps exact paths to JSON-able values
 * (e.g. /config.json), `pages` exact paths to HTML text, `files` exact paths to files elsewhere;
 * `headers` are added to every response. Resolves to { url, close() }.
 */
export function serveStatic(root, { port = 0, extra = {}, pages = {}, files = {}, headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path in extra) {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(extra[path]));
      return;
    }
    if (path in pages) {
      res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" });
      res.end(pages[path]);
      return;
    }
    let file = files[path];
    if (!file) {
      let rel = path === "/" ? "/www/index.html" : path;
      if (!/^\/(js|pkg|pkg-kv|www|bench)\//.test(rel)) rel = "/www" + rel;
      file = resolve(root, "." + normalize(rel));
      if (!file.startsWith(resolve(root) + "/")) { res.writeHead(403).end(); return; }
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((res) => server.listen(port, "127.0.0.1", () => {
    res({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

