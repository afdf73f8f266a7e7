// Loaded with `node -r` into an app when BENCH_CPU_PROF=1: profiles the whole life of the process
// and writes a .cpuprofile (Chrome DevTools format) on SIGTERM, before the app's own shutdown runs
// (Node's --cpu-prof writes nothing when the process ends by a signal, as Nest's shutdown does).
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.prependOnceListener('SIGTERM', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const dir = process.env.BENCH_CPU_PROF_DIR;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${process.env.BENCH_APP_NAME}.${process.pid}.cpuprofile`),
      JSON.stringify(result.profile),
    );
  });
});
