import { Client, escapeLiteral } from 'pg';
import { randomUUID } from 'node:crypto';
import { inlineValues } from '../libs/platform/src/database/one-round-trip';
import { ReservationRepository } from '../apps/ai-gateway/src/balances/reservation.repository';
import { BalanceViewRepository } from '../apps/ai-gateway/src/balances/balance-view.repository';

async function main() {
  const c = new Client({ host: '127.0.0.1', user: 'postgres', database: process.argv[2] });
  await c.connect();
  const res = new ReservationRepository();
  const view = new BalanceViewRepository();
  const stmts = (i: number) => [view.lockForReservation(`probe-${i % 5}`), res.putIfCovered({ id: randomUUID(), user_id: `probe-${i % 5}`, amount: 0, ttlMs: 30000 }, undefined)];
  const s0 = stmts(0);
  await c.query(`PREPARE lk AS ${s0[0].text}`);
  await c.query(`PREPARE pt AS ${s0[1].text}`);
  const lit = (v: unknown) => v === null || v === undefined ? 'NULL' : typeof v === 'string' ? escapeLiteral(v) : typeof v === 'boolean' ? String(v).toUpperCase() : `(${v})`;
  const exec = (name: string, values: readonly unknown[]) => `EXECUTE ${name}(${values.map(lit).join(', ')})`;
  const time = async (label: string, prepared: boolean) => {
    const ts: number[] = [];
    for (let i = 0; i < 400; i++) {
      const s = stmts(i);
      const text = prepared ? `${exec('lk', s[0].values!)};\n${exec('pt', s[1].values!)}` : s.map(inlineValues).join(';\n');
      const t0 = process.hrtime.bigint();
      await c.query(text);
      ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ts.sort((a, b) => a - b);
    console.log(label, 'median', ts[200].toFixed(3), 'p90', ts[360].toFixed(3));
  };
  for (let k = 0; k < 2; k++) { await time('inline', false); await time('prepared', true); }
  await c.query(`DELETE FROM reservations WHERE user_id LIKE 'probe-%'`);
  await c.query(`DELETE FROM balance_view WHERE user_id LIKE 'probe-%'`);
  await c.end();
}
main();
