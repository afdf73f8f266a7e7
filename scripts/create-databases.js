// Creates the apps' databases (from GATEWAY_DATABASE_URL / CREDIT_STORE_DATABASE_URL, or their
// defaults) on their PostgreSQL server if they do not exist yet. Needs `npm run build` first.
const { Client } = require('pg');
const dist = require('./dist-paths');

function databaseUrls() {
  const gateway = dist.loadConfig(dist.gateway.config());
  const store = dist.loadConfig(dist.creditStore.config());
  return [gateway.GATEWAY_DATABASE_URL, store.CREDIT_STORE_DATABASE_URL];
}

async function createDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`);
      console.log(`[db] created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function createDatabases() {
  for (const url of databaseUrls()) await createDatabase(url);
}

module.exports = { createDatabases, databaseUrls };

if (require.main === module) {
  createDatabases().catch((error) => {
    console.error(`[db] ${error.message}`);
    process.exit(1);
  });
}
