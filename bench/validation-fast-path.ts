// The validation fast paths, per call, against the full class-validator rules they are derived
// from (the baseline, measured in the same run): the consumer's parse of an ordinary charge message
// and the gateway's charge body. `npm run bench:validation` (no build, no services needed).
import 'reflect-metadata';
import { ChargeRequestedEvent, parseChargeRequested, validatePlain } from '@tally/contracts';
import { CreateChargeDto } from '../apps/ai-gateway/src/charges/dto/create-charge.dto';

const message = Buffer.from(
  JSON.stringify({
    event_id: '019aa6e0-7c1e-7cc3-9a4e-3f1d5f0f2a11',
    event_type: 'credit.charge.requested',
    schema_version: 1,
    occurred_at: '2026-11-23T10:00:00.000Z',
    producer: 'ai-gateway',
    payload: {
      user_id: 'alice',
      amount: 7,
      source: 'chat',
      source_ref_id: 'chatcmpl-1',
      pricing: {
        rule_id: '3',
        rule_version: 2,
        model: 'gpt-4o',
        provider: 'openai',
        mode: 'tokens',
        usage: { input_tokens: 30, output_tokens: 20 },
      },
      metadata: { api_key_id: '9', request_id: 'r-1' },
      sequence: 12,
    },
  }),
);
const body = {
  event_id: 'tts-job-42',
  user_id: 'alice',
  amount: 7,
  source: 'tts',
  metadata: { job: 'j-1' },
};
const priced = {
  event_id: 'c-1',
  user_id: 'alice',
  source: 'chat',
  model: 'gpt-4o',
  provider: 'openai',
  usage: { input_tokens: 30, output_tokens: 20 },
};

function time(name: string, n: number, f: () => unknown): number {
  for (let i = 0; i < 20_000; i++) f();
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (!f()) throw new Error(name + ' refused');
    runs.push(Number(process.hrtime.bigint() - t) / n);
  }
  runs.sort((a, b) => a - b);
  console.log(`${name}: median ${runs[3].toFixed(0)} ns/op (min ${runs[0].toFixed(0)})`);
  return runs[3];
}
function compare(name: string, n: number, fast: () => unknown, full: () => unknown): void {
  const fastNs = time(`${name}, fast path`, n, fast);
  const fullNs = time(`${name}, full rules`, n, full);
  console.log(`${name}: fast path ${(fullNs / fastNs).toFixed(1)}× the full rules' speed\n`);
}

const text = message.toString();
compare(
  'consumer parse',
  100_000,
  () => parseChargeRequested(message).ok,
  () => validatePlain(ChargeRequestedEvent, JSON.parse(text)).ok,
);
for (const [name, charge] of [
  ['gateway body (amount)', body],
  ['gateway body (priced)', priced],
] as const) {
  compare(
    name,
    200_000,
    () => CreateChargeDto.fromPlainlyValid(charge),
    () => validatePlain(CreateChargeDto, charge).ok,
  );
}
