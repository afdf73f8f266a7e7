// Node flags for running the apps, used by every launcher here (npm start, the benchmarks, the
// tests' spawned apps); the Dockerfile sets the same in NODE_OPTIONS.
// - A smaller young generation and a capped old space make V8 collect before it grows: under
//   `npm run bench` the peak RSS went from 271 MB (gateway) and 474 MB (credit-store) to 168 MB
//   and 226 MB, with the same throughput.
// - kafkajs 2.2.4 arms its request queue's throttle timer with a negative delay, which Node 24
//   clamps to 1 ms and reports on stderr once per process; the warning is that, and nothing more.
module.exports = {
  APP_NODE_FLAGS: [
    '--max-semi-space-size=8',
    '--max-old-space-size=192',
    '--disable-warning=TimeoutNegativeWarning',
  ],
};
