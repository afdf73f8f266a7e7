// `npm run migrate`: creates the databases if missing and applies both apps' pending migrations
// (each app's compiled `main.js migrate`, which takes an advisory lock so replicas never race).
const { spawnSync } = require('node:child_process');
const dist = require('./dist-paths');
const { createDatabases } = require('./create-databases');

function migrate() {
  for (const app of [dist.gateway, dist.creditStore]) {
    const result = spawnSync(process.execPath, [app.main, 'migrate'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
      encoding: 'utf8',
    });
    // The app logs JSON lines; a person reads this, so each says its message.
    for (const line of result.stdout.split('\n').filter(Boolean)) {
      console.log(`[${app.name}] ${messageOf(line)}`);
    }
    if (result.status !== 0) throw new Error(`${app.name} migrations failed`);
  }
}

function messageOf(line) {
  try {
    const entry = JSON.parse(line);
    return typeof entry?.msg === 'string' ? entry.msg : line;
  } catch {
    return line;
  }
}

module.exports = { migrate };

if (require.main === module) {
  createDatabases()
    .then(migrate)
    .catch((error) => {
      console.error(`[migrate] ${error.message}`);
      process.exit(1);
    });
}
