// Scenario 7: the gateway's charge insert fails at the end of chat streams, as a brief database
// fault would (a trigger on its `charges` table refuses the first inserts). Every stream must
// still end properly ([DONE], no error event), only after its charge is recorded, and each charge
// must be recorded exactly once and reach the ledger.
import { FakeUpstream, startFakeUpstream } from '../../tools/fake-upstream/fake-upstream';
import { json, sleep } from '../../bench/support/bench-stack';
import { FAULT_TOKENS, useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';

const STREAMS = 20;
/** Inserts refused before the trigger lets them through. */
const REFUSED = 30;
const CREDITS = 1000;
// 10 prompt + 4 completion tokens at one credit a token.
const CHARGE = 14;
const MODEL = 'fault-chat';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.models.set(MODEL, {
    chunks: ['Hello', ', ', 'ledger', '!'],
    usage: { prompt_tokens: 10, completion_tokens: 4 },
    chunkDelayMs: 20,
  });
});
const stack = useFaultStack('chat_charge_insert', { gateway: true, upstream: () => upstream.url });
afterAll(() => upstream?.close());

async function userWithKey(user: string): Promise<string> {
  await json('POST', `${stack.storeUrl}/accounts/${user}/grants`, FAULT_TOKENS.admin, {
    event_id: `${user}-grant`,
    amount: CREDITS,
    source: 'purchase',
  });
  const deadline = Date.now() + 60_000;
  while ((await balanceAtGateway(user)) !== CREDITS) {
    if (Date.now() > deadline) throw new Error(`the gateway never saw the grant of ${user}`);
    await sleep(100);
  }
  const { body } = await json('POST', `${stack.gatewayUrl}/admin/api-keys`, FAULT_TOKENS.admin, {
    user_id: user,
  });
  return body.key as string;
}

async function balanceAtGateway(user: string): Promise<number> {
  const { body } = await json(
    'GET',
    `${stack.gatewayUrl}/internal/balances/${user}`,
    FAULT_TOKENS.internal,
  );
  return body.balance as number;
}

async function stream(key: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 10,
      stream: true,
    }),
  });
  return { status: response.status, text: await response.text() };
}

test('charge inserts refused at the end of streams: each stream ends once its charge is recorded, once', async () => {
  const rule = await json('POST', `${stack.storeUrl}/admin/price-rules`, FAULT_TOKENS.admin, {
    scene: 'chat',
    model: MODEL,
    mode: 'tokens',
    input_per_million: '1000000',
    output_per_million: '1000000',
  });
  expect(rule.status).toBe(201);
  const users = Array.from({ length: STREAMS }, (_, i) => `chat-fault-${i}`);
  const keys = await Promise.all(users.map(userWithKey));

  await stack.gatewayDb.query(`CREATE SEQUENCE charge_insert_attempts`);
  await stack.gatewayDb.query(
    `CREATE FUNCTION refuse_first_charges() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF nextval('charge_insert_attempts') <= ${REFUSED} THEN
         RAISE EXCEPTION 'injected fault: charge insert refused';
       END IF;
       RETURN NEW;
     END $$`,
  );
  await stack.gatewayDb.query(
    `CREATE TRIGGER refuse_first_charges BEFORE INSERT ON charges
       FOR EACH ROW EXECUTE FUNCTION refuse_first_charges()`,
  );
  const started = Date.now();
  const answers = await Promise.all(keys.map(stream));
  const seconds = (Date.now() - started) / 1000;

  const attempts = Number(
    (
      await stack.gatewayDb.query<{ n: string }>(
        `SELECT last_value AS n FROM charge_insert_attempts`,
      )
    ).rows[0].n,
  );
  const perUser = await stack.gatewayDb.query<{ user_id: string; n: number; amount: string }>(
    `SELECT user_id, count(*)::int AS n, sum(amount) AS amount FROM charges GROUP BY user_id`,
  );
  const reservations = await stack.gatewayDb.query(`SELECT 1 FROM reservations`);
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  const balances = await Promise.all(
    users.map(async (user) => {
      const { body } = await json('GET', `${stack.storeUrl}/accounts/${user}`, FAULT_TOKENS.admin);
      return body.balance as number;
    }),
  );
  const reconciliation = await stack.reconciliation();

  printFigures('7. charge inserts refused at the end of streams', {
    streams: STREAMS,
    'inserts refused / tried': `${REFUSED} / ${attempts}`,
    'streams ended with [DONE]': answers.filter((a) => a.text.endsWith('data: [DONE]\n\n')).length,
    'seconds for all streams': seconds.toFixed(1),
  });
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain('"error"');
    expect(answer.text.endsWith('data: [DONE]\n\n')).toBe(true);
  }
  // Every refusal happened, and then each charge was inserted exactly once.
  expect(attempts).toBe(REFUSED + STREAMS);
  expect(perUser.rows.map((r) => [r.user_id, r.n, Number(r.amount)]).sort()).toEqual(
    users.map((user) => [user, 1, CHARGE]).sort(),
  );
  expect(reservations.rows).toEqual([]);
  expect(balances).toEqual(users.map(() => CREDITS - CHARGE));
  expect(reconciliation.ok).toBe(true);
}, 300_000);
