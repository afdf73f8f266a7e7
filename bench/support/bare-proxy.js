// The floor of `npm run bench:gateway` (issue 30): a bare proxy on `node:http` and undici's pool of
// kept-alive connections to the upstream, with nothing else: no body parsing, no keys, no balance,
// no charge. It passes the request's bytes up and the answer's bytes down as they come (a stream
// chunk by chunk), so what the gateway adds over it is the cost of metering and of its HTTP stack.
const { createServer } = require('node:http');
const { Pool } = require('undici');

const upstream = new URL(process.env.BARE_UPSTREAM);
const pool = new Pool(upstream.origin, { connections: 64 });
const PASSED = [
  'authorization',
  'x-api-key',
  'anthropic-version',
  'content-type',
  'content-length',
];

const server = createServer((req, res) => {
  if (req.url === '/health/ready') return void res.end('ok');
  const headers = {};
  for (const name of PASSED) if (req.headers[name]) headers[name] = req.headers[name];
  const forwarded = `${upstream.pathname.replace(/\/$/, '')}${req.url.replace(/^\/v1/, '')}`;
  pool.request({ path: forwarded, method: req.method, headers, body: req }).then(
    (answer) => {
      const type = answer.headers['content-type'] ?? 'application/json';
      res.writeHead(answer.statusCode, { 'content-type': type });
      answer.body.pipe(res);
    },
    () => {
      res.writeHead(502).end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.BARE_PORT), '127.0.0.1');
