import { Client } from 'pg';
import { ChargeRepository } from '../apps/ai-gateway/src/charges/charge.repository';

async function main() {
  let captured: { text: string; values: unknown[] } | undefined;
  const fake = { query: async (text: string, values: unknown[]) => { captured = { text, values }; return []; } };
  const c = new Client({ host: '127.0.0.1', user: 'postgres', database: process.argv[2] });
  await c.connect();
  const repo = new ChargeRepository();
  const make = (i: number) => ({
    event_id: `probe-${Date.now()}-${i}`, user_id: `probe-user-${i % 7}`, source: 'chat', amount: 12,
    pricing: { model: 'm', input_tokens: 1, output_tokens: 2 } as never, request_fingerprint: 'f',
    envelope: { a: 1 },
  });
  const time = async (label: string, named: boolean) => {
    const ts: number[] = [];
    for (let i = 0; i < 300; i++) {
      await repo.recordBatch(fake as never, [make(i)], [], '2026-11-28');
      await c.query('BEGIN');
      const t0 = process.hrtime.bigint();
      await c.query(named ? { name: 'rec', text: captured!.text, values: captured!.values } : { text: captured!.text, values: captured!.values });
      ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await c.query('ROLLBACK');
    }
    ts.sort((a, b) => a - b);
    console.log(label, 'median', ts[150].toFixed(3), 'p90', ts[270].toFixed(3));
  };
  await time('unnamed', false);
  await time('named', true);
  await time('unnamed', false);
  await time('named', true);
  await repo.recordBatch(fake as never, [make(1)], [], '2026-11-28');
  await c.query('BEGIN');
  const plan = await c.query({ text: 'EXPLAIN (ANALYZE, SUMMARY) ' + captured!.text, values: captured!.values });
  console.log(plan.rows.slice(-3).map((r) => r['QUERY PLAN']).join('\n'));
  await c.query('ROLLBACK');
  await c.end();
}
main();
