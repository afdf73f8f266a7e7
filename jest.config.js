// Four projects: `unit` (pure logic, beside the code), `integration` (test/, on the real
// PostgreSQL and a real Kafka broker that test/support/global-setup.ts starts for the run) and
// `faults` (test/faults/: both apps as OS processes from dist/, killed and cut off on purpose; each
// file brings up its own broker and databases, so it needs no global setup) and `partitions`
// (test/partitions/: the same on network namespaces of their own, root only).
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@tally/contracts$': '<rootDir>/libs/contracts/src',
    '^@tally/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
    '^@tally/platform$': '<rootDir>/libs/platform/src',
    '^@tally/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
    '^@tally/pricing$': '<rootDir>/libs/pricing/src',
    '^@tally/pricing/(.*)$': '<rootDir>/libs/pricing/src/$1',
  },
};

module.exports = {
  // Integration tests wait on a real broker (rebalances, an outage); unit tests finish far sooner.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
        '<rootDir>/tools/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 20,
    },
    {
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/*.fault-spec.ts'],
      slowTestThreshold: 120,
    },
    {
      // test/partitions/: every process in a network namespace of its own (root only), run by
      // scripts/test-partitions.sh, which skips it where it cannot run and always tears it down.
      ...shared,
      displayName: 'partitions',
      testMatch: ['<rootDir>/test/partitions/*.partition-spec.ts'],
      slowTestThreshold: 300,
    },
  ],
};
