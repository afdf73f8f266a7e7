import { join } from 'node:path';
import { register } from 'tsconfig-paths';

/**
 * Jest's moduleNameMapper does not reach globalSetup/globalTeardown, which run as plain Node
 * modules; this makes the @tally/* aliases resolve there too.
 */
const root = join(__dirname, '..', '..');
register({
  baseUrl: root,
  paths: {
    '@tally/contracts': ['libs/contracts/src'],
    '@tally/platform': ['libs/platform/src'],
  },
});
