// Test-only stand-in for the query server's UI hosting, used until spoor
// serves ui/dist itself: it serves the build under a base path the way the
// server will (index.html for every non-asset path, with the <base> tag
// rewritten to the base path) and forwards `{base}api/...` to spoor.

import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = path.resolve(HERE, '../../dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** index.html with `<base href="/" data-inject-target="BASE_URL">` pointing at basePath. */
export function injectBase(html, basePath) {
  return html.replace(
    /<base href="[^"]*" data-inject-target="BASE_URL"\s*\/?>/,
    `<base href="${basePath}" data-inject-target="BASE_URL" />`,
  );
}

/**
 * Starts the server on a free loopback port. basePath starts and ends with
 * '/'. Resolves with {url (ending in basePath), close()}.
 */
export async function startUiServer({ queryUrl, basePath = '/', distDir = DIST_DIR }) {
  if (!existsSync(path.join(distDir, 'index.html'))) throw new Error(`no UI build in ${distDir}: run npm run build`);
  const index = injectBase(readFileSync(path.join(distDir, 'index.html'), 'utf8'), basePath);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(basePath) && `${url.pathname}/` !== basePath) {
      res.writeHead(404).end('outside the base path');
      return;
    }
    const rest = url.pathname.slice(basePath.length);
    if (rest.startsWith('api/')) return proxy(req, res, `${queryUrl}/${rest}${url.search}`);
    const file = path.join(distDir, decodeURIComponent(rest));
    if (rest && file.startsWith(distDir) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES['.html'] }).end(index);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function proxy(req, res, target) {
  const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (err) => res.writeHead(502).end(String(err)));
  req.pipe(upstream);
}
