import { Topics } from '@tally/contracts';
import type { DataSource } from 'typeorm';
import { useCreditStore } from './support/apps';
import { connect, rows } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { spawnApp, spawnReadyGateway } from './support/spawn-app';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { id: string; method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number; headers: Record<string, string> };
}

describe('JSON logs and a request id followed from HTTP to the ledger', () => {
  const fixture = useCreditStore();
  let gatewayDb: DataSource;
  let gateway: ReturnType<typeof spawnApp>;
  let url: string;

  beforeAll(async () => {
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    ({ gateway, url } = await spawnReadyGateway({
      CREDIT_STORE_URL: fixture.store.url,
      LOG_LEVELS: 'error,warn,log',
    }));
  });
  afterAll(async () => {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await gatewayDb?.destroy();
  });

  const logLines = (): LogLine[] =>
    gateway
      .output()
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as LogLine);

  it('carries the caller’s x-request-id into the outbox row, the Kafka headers and the ledger entry', async () => {
    const requestId = unique('trace');
    const eventId = unique('charge');
    const response = await fetch(`${url}/internal/charges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKENS.internal}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        event_id: eventId,
        user_id: unique('user'),
        amount: 3,
        source: 'tts',
        metadata: { job: 'j-1' },
      }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const [row] = await rows<{ request_id: string }>(
      gatewayDb,
      `SELECT request_id FROM outbox WHERE event_id = $1`,
      [eventId],
    );
    expect(row.request_id).toBe(requestId);

    const messages = await readTopicUntil(Topics.chargeRequested, (received) =>
      received.some((m) => m.headers.event_id === eventId),
    );
    const message = messages.find((m) => m.headers.event_id === eventId)!;
    expect(message.headers.request_id).toBe(requestId);

    const entry = await eventually(async () => {
      const answer = await call<{ metadata: Record<string, unknown> }>(
        'GET',
        `${fixture.store.url}/ledger/${eventId}`,
      );
      expect(answer.status).toBe(200);
      return answer.body;
    });
    expect(entry.metadata).toMatchObject({ request_id: requestId, job: 'j-1' });

    // The gateway's log line for that request names it, as JSON, with the token redacted.
    await eventually(() => {
      const line = logLines().find((l) => l.req?.id === requestId);
      expect(line).toMatchObject({
        msg: 'request completed',
        req: { method: 'POST', url: '/internal/charges' },
        res: { statusCode: 202 },
      });
      expect(line!.req!.headers.authorization).toBe('[redacted]');
    });
  });

  it('makes up an id when none (or a malformed one) is given', async () => {
    const plain = await fetch(`${url}/v1/models`);
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const malformed = await fetch(`${url}/v1/models`, {
      headers: { 'x-request-id': 'two words\u00e9' },
    });
    expect(malformed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes a token or API key into the logs, even a rejected one', async () => {
    const guessed = 'sk-guessed-secret-0123456789abcdef';
    const refused = await fetch(`${url}/v1/models`, {
      headers: { authorization: `Bearer ${guessed}` },
    });
    expect(refused.status).toBe(401);
    await eventually(() =>
      expect(logLines().some((l) => l.res?.statusCode === 401 && l.req?.url === '/v1/models')).toBe(
        true,
      ),
    );
    const output = gateway.output();
    expect(output).not.toContain(guessed);
    expect(output).not.toContain(TEST_TOKENS.internal);
    expect(output).not.toContain(TEST_TOKENS.admin);
  });
});
