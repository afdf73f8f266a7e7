import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { testBrokerEnv } from './test-env';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka.sh');

/** Starts and stops the run's own Kafka broker with the project's script (keeps its data). */
export const testBroker = {
  start(): void {
    execFileSync('bash', [SCRIPT, 'start'], { env: testBrokerEnv(), stdio: 'inherit' });
  },
  stop(): void {
    execFileSync('bash', [SCRIPT, 'stop'], { env: testBrokerEnv(), stdio: 'inherit' });
  },
};
