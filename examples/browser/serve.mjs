// A tiny static server for the browser example: serves the repository root (so /dist works) with
// the two headers that make a page cross-origin isolated, which SharedArrayBuffer requires.
//
//   npm run build && node examples/browser/serve.mjs [port]
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const server = createServer(async (req, res) => {
  let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path === '/' || path === '/examples/browser') return res.writeHead(302, { Location: '/examples/browser/' }).end();
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(root, `.${path}`);
  try {
    if (!file.startsWith(root)) throw new Error('outside the repository');
    const body = await readFile(file);
    res.writeHead(200, { ...isolation, 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404, { ...isolation, 'Content-Type': 'text/plain' }).end('not found');
  }
});

server.listen(Number(process.argv[2] ?? 8080), '127.0.0.1', () => {
  console.log(`open http://127.0.0.1:${server.address().port}/examples/browser/`);
});
