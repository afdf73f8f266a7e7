// The PostgreSQL servers the apps' database URLs point at: each must answer, except one on this
// machine, for which `npm start` starts an embedded server on that port (scripts/embedded-postgres.js).
const net = require('node:net');
const os = require('node:os');
const { startEmbeddedPostgres } = require('./embedded-postgres');

const THIS_MACHINE = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PROBE_TIMEOUT_MS = 5_000;

/** Connects to host:port; answers undefined if something accepts, else why not. */
function probe(host, port) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: host.replace(/^\[|\]$/g, ''), port });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => {
      socket.destroy();
      resolve(`no answer in ${PROBE_TIMEOUT_MS / 1000}s`);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(error.code ?? error.message));
  });
}

/** The distinct servers of `settings` ({ name: url }), each with the settings that use it. */
function serversOf(settings) {
  const servers = new Map();
  for (const [name, url] of Object.entries(settings)) {
    const parsed = new URL(url);
    const port = Number(parsed.port || 5432);
    const address = `${parsed.hostname}:${port}`;
    const server = servers.get(address) ?? {
      address,
      host: parsed.hostname,
      port,
      // Whom the apps connect as (node-postgres's defaults when the URL names nobody).
      user: decodeURIComponent(parsed.username) || process.env.PGUSER || os.userInfo().username,
      password: decodeURIComponent(parsed.password),
      names: [],
    };
    server.names.push(name);
    servers.set(address, server);
  }
  return [...servers.values()];
}

/**
 * Makes sure every server answers: a silent one on this machine gets an embedded server (reported
 * through `log`, and added to `started` as soon as it runs, so that it is stopped at the end even
 * if a later one fails), any other is an error naming it.
 */
async function ensurePostgres(settings, { log, started }) {
  const silent = [];
  for (const server of serversOf(settings)) {
    const failure = await probe(server.host, server.port);
    if (failure === undefined) continue;
    if (!THIS_MACHINE.has(server.host) || failure !== 'ECONNREFUSED') {
      throw new Error(
        `PostgreSQL at ${server.address} (${server.names.join(', ')}) does not answer: ${failure}; start it, or set ${server.names.join(' / ')}`,
      );
    }
    silent.push(server);
  }
  for (const server of silent) {
    const embedded = await startEmbeddedPostgres(server);
    started.push({ ...embedded, address: server.address });
    const where = embedded.reason ? ` (${embedded.reason}, so not in .cache)` : '';
    log(
      `no PostgreSQL on ${server.address}: started an embedded one, data in ${embedded.dataDir}${where}${embedded.created ? ' (new)' : ''}`,
    );
  }
}

module.exports = { ensurePostgres };
