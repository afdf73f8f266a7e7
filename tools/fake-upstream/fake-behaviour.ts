import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './fake-http';

/**
 * How one instance of the fake behaves, whatever the model: as a healthy deployment (`ok`), or
 * as one that fails every call with `status` (and `Retry-After: retry_after` seconds), never
 * answers (`hang`), breaks a stream after its first chunk (`break`; a whole answer is cut
 * half-way), or fails every other call (`flaky`, the first one fails).
 */
export type FakeBehaviour =
  | { mode: 'ok' }
  | { mode: 'fail'; status: number; retry_after?: number }
  | { mode: 'hang' }
  | { mode: 'break' }
  | { mode: 'flaky'; status: number; retry_after?: number };

/**
 * Several deployments in one process: a base URL `http://host:port/<instance>/v1` is the
 * instance `<instance>`, `http://host:port/v1` the instance `""`. Each has its behaviour, set
 * with `POST /control/<instance>` (body: a FakeBehaviour) or in-process, and counts its calls.
 */
export interface FakeInstances {
  behaviours: Map<string, FakeBehaviour>;
  /** Calls answered (or not) per instance, control calls left out. */
  calls: Map<string, number>;
}

/** The instance a path names, and the path without it (`/a/v1/x` → `a`, `/v1/x`). */
export function splitInstance(url: string): { instance: string; path: string } {
  const match = /^\/([A-Za-z0-9._-]+)(\/v1(?:\/.*)?)$/.exec(url);
  if (!match || match[1] === 'v1') return { instance: '', path: url };
  return { instance: match[1], path: match[2] };
}

const MODES = ['ok', 'fail', 'hang', 'break', 'flaky'];

/**
 * `POST /control/<instance>` sets its behaviour and answers it with the calls it had;
 * `GET /control/<instance>` answers them. False when the request is not a control call.
 */
export function control(
  fake: FakeInstances,
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
): boolean {
  const match = /^\/control\/([A-Za-z0-9._-]*)$/.exec(req.url ?? '');
  if (!match) return false;
  const instance = match[1];
  if (req.method === 'POST') {
    const behaviour = JSON.parse(text || '{}') as FakeBehaviour;
    if (!MODES.includes(behaviour.mode)) {
      sendJson(res, 400, { error: { message: `mode must be one of ${MODES.join(', ')}` } });
      return true;
    }
    fake.behaviours.set(instance, behaviour);
  }
  sendJson(res, 200, {
    instance,
    ...(fake.behaviours.get(instance) ?? { mode: 'ok' }),
    calls: fake.calls.get(instance) ?? 0,
  });
  return true;
}

/**
 * Counts the call and answers it as the instance's behaviour says: `done` when it was answered
 * (a failure) or left hanging, `break` when the answer must be cut after its first chunk, `serve`
 * for a normal answer. `fail` writes a failure in the API's shape.
 */
export function behave(
  fake: FakeInstances,
  instance: string,
  res: ServerResponse,
  fail: (status: number) => { status: number; body: object },
): 'serve' | 'break' | 'done' {
  const calls = (fake.calls.get(instance) ?? 0) + 1;
  fake.calls.set(instance, calls);
  const behaviour = fake.behaviours.get(instance) ?? { mode: 'ok' };
  if (behaviour.mode === 'hang') return 'done';
  if (behaviour.mode === 'break') return 'break';
  const failing = behaviour.mode === 'fail' || (behaviour.mode === 'flaky' && calls % 2 === 1);
  if (!failing) return 'serve';
  const { status, body } = fail(behaviour.status);
  if (behaviour.retry_after !== undefined) {
    res.setHeader('retry-after', String(behaviour.retry_after));
  }
  sendJson(res, status, body);
  return 'done';
}
